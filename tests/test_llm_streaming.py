"""Streamed model calls over real HTTP (litellm → the scripted server): the same answers as without streaming,
the call under way visible in the ledger, a call given up hung up on, and errors short enough to read."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from core.errors import ModelError, ModelUnreachable
from core.model.base import NO_CHOICES, Completion
from core.model.llm import LiteLLMClient
from core.model.scripted_server import ScriptedModelServer
from core.model.usage_ledger import UsageLedger
from tests.model_fixtures import VIEW_FILE_TOOL, free_port, settings_for

ASK = [{"role": "user", "content": "checkout fails on an empty cart"}]
PLAN_SCHEMA = {"type": "object", "properties": {"steps": {"type": "array", "items": {"type": "string"}}}}
TOOL_ANSWER = {
    "content": "looking at the cart first",
    "tool_calls": [
        {"id": "call_1", "name": "view_file", "arguments": {"path": "shop/cart.py"}},
        {"id": "call_2", "name": "view_file", "arguments": '{"path": "shop/'},
    ],
}


class WatchedLedger(UsageLedger):
    """A ledger that keeps what the client told it about the call under way."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[tuple[str, int, int, bool]] = []
        self.heard_tokens: list[int] = []

    def call_started(
        self,
        role: str,
        alias: str,
        prompt_tokens: int,
        stall_after_s: float = 60.0,
        attempt: int = 1,
        *,
        sent: bool = True,
    ) -> int:
        self.started.append((role, prompt_tokens, attempt, sent))
        return super().call_started(role, alias, prompt_tokens, stall_after_s, attempt, sent=sent)

    def heard(self, handle: int, tokens: int = 0) -> None:
        self.heard_tokens.append(tokens)
        super().heard(handle, tokens)


def ask_both_ways(tmp_path: Path, step: dict[str, Any], **call: Any) -> tuple[Completion, Completion, list[Any]]:
    """The same scripted answer asked of a streaming server and of one that refuses streaming."""
    answers = []
    requests = []
    for refuse in (False, True):
        home = tmp_path / f"refuse-{refuse}"
        with ScriptedModelServer({"refuse_streaming": refuse, "steps": [step]}) as server:
            client = LiteLLMClient(settings_for(server.base_url, home), backoff_s=0.01)
            answers.append(client.complete(ASK, **call))
            assert server.failures == [] and server.remaining == 0
            requests.append(server.requests[0])
    assert requests[0].get("stream") is True and not requests[1].get("stream")
    return answers[0], answers[1], requests


def same_answer(streamed: Completion, whole: Completion) -> None:
    assert streamed.content == whole.content
    assert streamed.tool_calls == whole.tool_calls
    assert streamed.finish_reason == whole.finish_reason
    assert streamed.model == whole.model
    assert (streamed.usage.prompt_tokens, streamed.usage.completion_tokens) == (
        whole.usage.prompt_tokens,
        whole.usage.completion_tokens,
    )


def test_streamed_tool_calls_equal_the_answer_without_streaming(tmp_path: Path) -> None:
    streamed, whole, _ = ask_both_ways(tmp_path, {"response": TOOL_ANSWER}, tools=[VIEW_FILE_TOOL], role="coder")
    same_answer(streamed, whole)
    assert [(c.id, c.name, c.arguments) for c in streamed.tool_calls] == [
        ("call_1", "view_file", '{"path": "shop/cart.py"}'),
        ("call_2", "view_file", '{"path": "shop/'),
    ]
    assert streamed.finish_reason == "tool_calls" and streamed.usage.completion_tokens > 0


def test_streamed_text_and_json_answers_equal_the_answers_without_streaming(tmp_path: Path) -> None:
    long_text = "a slow and thorough explanation " * 40
    streamed, whole, _ = ask_both_ways(tmp_path / "text", {"response": {"content": long_text}}, role="planner")
    same_answer(streamed, whole)
    assert streamed.content == long_text
    plan = {"response": {"content": '{"steps": ["reproduce", "fix"]}'}}
    streamed, whole, requests = ask_both_ways(tmp_path / "json", plan, response_schema=PLAN_SCHEMA)
    same_answer(streamed, whole)
    assert requests[0]["response_format"] == requests[1]["response_format"]


def test_an_answer_without_choices_is_garbled_output_streamed_or_not(tmp_path: Path) -> None:
    empty = {"body": {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}}
    streamed, whole, _ = ask_both_ways(tmp_path, empty)
    assert streamed.finish_reason == whole.finish_reason == NO_CHOICES
    assert streamed.content == whole.content == ""


def test_the_ledger_sees_the_prompt_read_then_every_token_written(tmp_path: Path) -> None:
    ledger = WatchedLedger()
    step = {"response": {"content": "one two three four five six seven eight"}}
    with ScriptedModelServer({"steps": [step]}) as server:
        LiteLLMClient(settings_for(server.base_url, tmp_path), ledger).complete(ASK, role="planner")
    preparing, sent = ledger.started
    assert preparing == ("planner", 0, 1, False), "the request is prepared (fitted, counted) before it is sent"
    role, prompt_tokens, attempt, _ = sent
    assert role == "planner" and prompt_tokens > 0 and attempt == 1
    assert ledger.heard_tokens[0] == 0, "the role chunk carries no token: the server was still reading"
    assert sum(ledger.heard_tokens) >= 10, "each piece of text counts as it arrives"
    assert ledger.live_call() is None, "a finished call is no longer under way"


def test_a_server_refusing_streaming_is_asked_without_it_from_then_on(tmp_path: Path) -> None:
    script = {"refuse_streaming": True, "steps": [{"response": {"content": "a"}}, {"response": {"content": "b"}}]}
    with ScriptedModelServer(script) as server:
        client = LiteLLMClient(settings_for(server.base_url, tmp_path), backoff_s=0.01)
        assert [client.complete(ASK).content for _ in range(2)] == ["a", "b"]
    assert [bool(request.get("stream")) for request in server.requests] == [False, False]


def test_a_call_given_up_mid_answer_hangs_up_so_the_server_stops_writing(tmp_path: Path) -> None:
    slow = {"response": {"content": "word " * 60}, "token_delay_s": 0.1}
    script = {"steps": [slow, {"response": {"content": "in time"}}]}
    with ScriptedModelServer(script) as server:
        client = LiteLLMClient(settings_for(server.base_url, tmp_path, timeout_s=0.5, retries=1), backoff_s=0.01)
        assert client.complete(ASK).content == "in time"
        for _ in range(100):  # the server notices the hang-up at its next write
            if server.abandoned:
                break
            time.sleep(0.05)
    assert server.abandoned == 1


def test_a_refused_request_reads_in_one_line_with_the_servers_words(tmp_path: Path) -> None:
    secret_prompt = [{"role": "user", "content": "PROMPT-TEXT " * 200}]
    with ScriptedModelServer({"steps": []}) as server:
        client = LiteLLMClient(settings_for(server.base_url, tmp_path), backoff_s=0.01)
        with pytest.raises(ModelError) as caught:
            client.complete(secret_prompt, role="planner")
    message = str(caught.value)
    assert message.startswith(f"the model server at {server.base_url} refused the request (HTTP 400): ")
    assert "unexpected call 1" in message and "only 0 steps" in message
    assert "\n" not in message and len(message) <= 300
    assert "litellm" not in message and "Error code" not in message
    assert len(caught.value.user_message().splitlines()) == 2


def test_a_validation_error_that_echoes_the_request_reads_as_where_and_what(tmp_path: Path) -> None:
    prompt = [{"role": "user", "content": "PROMPT-TEXT " * 200}]
    detail = [{"type": "missing", "loc": ["body", "messages", 0, "name"], "msg": "Field required", "input": prompt}]
    with ScriptedModelServer({"steps": [{"status": 422, "body": {"detail": detail}}]}) as server:
        client = LiteLLMClient(settings_for(server.base_url, tmp_path), backoff_s=0.01)
        with pytest.raises(ModelError) as caught:
            client.complete(prompt)
    assert str(caught.value) == (
        f"the model server at {server.base_url} refused the request (HTTP 422): body.messages.0.name: Field required"
    )


def test_an_unreachable_server_reads_in_one_line(tmp_path: Path) -> None:
    api_base = f"http://127.0.0.1:{free_port()}/v1"
    client = LiteLLMClient(settings_for(api_base, tmp_path, retries=0), backoff_s=0.01)
    with pytest.raises(ModelUnreachable) as caught:
        client.complete(ASK)
    message = str(caught.value)
    assert api_base in message and "after 1 attempts" in message
    assert "\n" not in message and len(message) <= 300


def test_a_streamed_answer_of_wrong_types_is_a_model_error_not_an_outage(tmp_path: Path) -> None:
    broken = {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}
    broken["usage"] = {"prompt_tokens": -5, "completion_tokens": "many"}
    with ScriptedModelServer({"steps": [{"body": broken}]}) as server:
        client = LiteLLMClient(settings_for(server.base_url, tmp_path, retries=0), backoff_s=0.01)
        with pytest.raises(ModelError) as caught:
            client.complete(ASK)
    assert not isinstance(caught.value, ModelUnreachable), "the server answered: it is not unreachable"
    assert str(caught.value).startswith(f"the model server at {server.base_url} kept failing after 1 attempts: ")
