"""fit_messages: every request fits, the important messages survive, and tool calls stay paired."""

from __future__ import annotations

import copy
import json

from core.model.context_window import estimate_tokens, fit_messages, litellm_token_counter
from tests.model_fixtures import conversation_with_tool_results, tool_pairing_errors

OBSERVATION = "\n".join(f"line {n}: value = compute({n})" for n in range(4000))


def test_messages_that_fit_are_returned_unchanged() -> None:
    messages = conversation_with_tool_results(turns=2, observation="short")
    fitted, folded = fit_messages(messages, 10_000)
    assert fitted == messages and folded == 0


def test_one_huge_observation_is_cut_keeping_head_and_tail() -> None:
    messages = conversation_with_tool_results(turns=1, observation=OBSERVATION)
    original = copy.deepcopy(messages)
    fitted, folded = fit_messages(messages, 3000)
    assert estimate_tokens(fitted) <= 3000
    assert folded == 1
    observation = fitted[3]["content"]
    assert observation.startswith("turn 0\nline 0:")
    assert observation.rstrip().endswith("compute(3999)")
    assert "characters cut to fit the context window; the full text is in the trajectory" in observation
    assert messages == original, "the caller's messages must not change"


def test_older_tool_results_are_folded_first_and_key_messages_kept() -> None:
    messages = conversation_with_tool_results(turns=8, observation=OBSERVATION[:3000])
    fitted, folded = fit_messages(messages, 2500)
    assert estimate_tokens(fitted) <= 2500
    assert folded > 0
    text = json.dumps(fitted)
    for marker in ("SYSTEM-PROMPT-MARKER", "FIRST-USER-MARKER", "LAST-USER-MARKER"):
        assert marker in text
    assert fitted[3]["content"].startswith("[folded: result of view_file(")
    assert "turn 7" in fitted[-2]["content"] and "[folded" not in fitted[-2]["content"]
    assert tool_pairing_errors(fitted) == []


def test_long_tool_call_arguments_are_folded_into_valid_json() -> None:
    messages = conversation_with_tool_results(turns=6, observation="ok")
    messages[2]["tool_calls"][0]["function"]["arguments"] = json.dumps({"content": "x" * 20_000})
    fitted, _ = fit_messages(messages, 1200)
    arguments = fitted[2]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(arguments) == {
        "folded": f"{len(messages[2]['tool_calls'][0]['function']['arguments'])} characters of arguments"
    }
    assert estimate_tokens(fitted) <= 1200


def test_a_window_too_small_for_every_turn_drops_whole_old_turns() -> None:
    messages = conversation_with_tool_results(turns=40, observation="result " * 30)
    fitted, folded = fit_messages(messages, 900)
    assert estimate_tokens(fitted) <= 900
    assert len(fitted) < len(messages) and folded > 0
    assert fitted[0]["role"] == "system" and "FIRST-USER-MARKER" in fitted[1]["content"]
    assert fitted[-1]["content"].endswith("LAST-USER-MARKER")
    assert tool_pairing_errors(fitted) == []


def test_litellm_counter_counts_offline_and_agrees_with_the_estimate_roughly() -> None:
    count = litellm_token_counter("openai/some-local-model")
    messages = [{"role": "user", "content": OBSERVATION[:7000]}]
    exact, estimate = count(messages), estimate_tokens(messages)
    assert 0.4 < exact / estimate < 2.5
