"""A model answer can cost a step, never the job: whatever a tool raises is an observation, text that no file
system or HTTP body takes is refused with a reason, an empty answer is garbled output, and a node that crashed
on an answer asks the model again when it runs again instead of replaying the answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.errors import ModelError
from core.model.llm import LiteLLMClient
from core.model.scripted_server import ScriptedModelServer
from graphs.context import TeamContext
from graphs.nodes import role_node
from harness.team_context import early_state, node_runtime, role_visit, team_context
from roles import localizer
from roles.loop import RoleVisit, run_tool_loop
from roles.schemas import CoderResult
from tests.model_fixtures import settings_for, tool_step

SURROGATE = "\ud800"
DONE = tool_step("submit", {"summary": "done"})


def observations(context: TeamContext) -> list[str]:
    """What each tool call answered, in order."""
    return [str(e["observation"]) for e in context.trajectory.events() if e["event"] == "tool_call"]


def test_text_no_file_system_takes_and_a_crashing_tool_cost_one_step_each(tmp_path: Path) -> None:
    steps = [
        tool_step("create_file", {"path": "notes.txt", "content": f"bad {SURROGATE} text"}),
        tool_step("view_file", {"path": "x" * 100_000}),
        tool_step("create_file", {"path": f"new{SURROGATE}.py", "content": "x = 1\n"}),
        tool_step("search_replace", {"path": "shop/cart.py", "search": "def ", "replace": SURROGATE}),
        tool_step("list_files", {"path": "a/" + "b" * 300}),
        DONE,
    ]
    with ScriptedModelServer({"steps": steps}) as server:
        context = team_context(tmp_path, server.base_url)
        visit = role_visit(context, "coder")
        answer = run_tool_loop(visit, [{"role": "user", "content": "fix it"}], CoderResult)
    seen = observations(context)
    assert answer.summary == "done"
    assert len(seen) == 5 and all(text.startswith("error:") for text in seen), seen
    assert "content: not valid Unicode (a lone surrogate '\\ud800' at character 4)" in seen[0]
    assert "100,000 bytes long, more than 4096" in seen[1]
    assert "path: not valid Unicode" in seen[2]
    assert "replace: not valid Unicode" in seen[3]
    assert "longer than 255 bytes" in seen[4]
    assert context.workspace.diff() == "", "nothing was written"
    assert visit.calls == 6


def test_an_answer_without_choices_is_sent_back_as_garbled_output(tmp_path: Path) -> None:
    empty = {"body": {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}}
    steps = [empty, {"expect": {"prompt_contains": ["the server sent no choices"]}, **DONE}]
    with ScriptedModelServer({"steps": steps}) as server:
        context = team_context(tmp_path, server.base_url)
        visit = role_visit(context, "coder")
        answer = run_tool_loop(visit, [{"role": "user", "content": "fix it"}], CoderResult)
        assert server.failures == []
    assert answer.summary == "done" and visit.format_errors == 1


def test_text_no_encoding_takes_is_garbled_output_and_goes_back_encodable(tmp_path: Path) -> None:
    prose = {"response": {"content": f"Let me think {SURROGATE}"}}
    steps = [prose, tool_step("submit", f'{{"summary": "fixed {SURROGATE}"}}'), DONE]
    with ScriptedModelServer({"steps": steps}) as server:
        context = team_context(tmp_path, server.base_url)
        visit = role_visit(context, "coder")
        answer = run_tool_loop(visit, [{"role": "user", "content": "fix it"}], CoderResult)
        sent = json.dumps(server.requests[-1]["messages"])
    assert answer.summary == "done" and visit.format_errors == 2
    assert "answer.summary: not valid Unicode" in sent
    assert "Let me think \\ufffd" in sent and "fixed \\ufffd" in sent, "the model's own text came back encodable"


def test_locations_the_workspace_refuses_are_not_located(tmp_path: Path) -> None:
    located = [{"path": "../../etc/passwd", "reason": "x"}, {"path": "shop/cart.py", "reason": "min() of nothing"}]
    with ScriptedModelServer({"steps": [tool_step("submit", {"locations": located})]}) as server:
        context = team_context(tmp_path, server.base_url)
        update = localizer.run(early_state(context), role_visit(context, "localizer"))
    assert [location.path for location in update["locations"]] == ["shop/cart.py"]


def test_a_node_that_crashed_on_an_answer_asks_the_model_again_when_it_runs_again(tmp_path: Path) -> None:
    def role_that_trips_on(word: str) -> Any:
        def run(state: Any, visit: RoleVisit) -> dict[str, Any]:
            answer = run_tool_loop(visit, [{"role": "user", "content": "fix it"}], CoderResult)
            if word in answer.summary:
                raise KeyError(word)  # a fault of ours on this answer, as a crash would look
            return {"feedback": answer.summary}

        return run

    steps = [tool_step("view_file", {"path": "shop/cart.py"}), tool_step("submit", {"summary": "boom"}), DONE]
    with ScriptedModelServer({"steps": steps}) as server:
        context = team_context(tmp_path, server.base_url)
        node = role_node("coder", "coder", role_that_trips_on("boom"), snapshot=False)
        with pytest.raises(KeyError):
            node(early_state(context), runtime=node_runtime(context))
        update = node(early_state(context), runtime=node_runtime(context))
        assert server.remaining == 0 and len(server.requests) == 3, "the view was replayed, the submit asked again"
    assert update["feedback"] == "done"
    notes = context.extras["run_notes"]
    assert len(notes) == 1 and "the answer recorded for model call 2 had failed" in notes[0] and "KeyError" in notes[0]


def test_a_request_this_client_cannot_encode_is_named_and_not_retried(tmp_path: Path) -> None:
    with ScriptedModelServer({"steps": [tool_step("view_file", {"path": "a.py"})]}) as server:
        client = LiteLLMClient(settings_for(server.base_url, tmp_path, retries=4, api_key="clé"), backoff_s=0.01)
        with pytest.raises(ModelError, match="this client could not encode its request") as raised:
            client.complete([{"role": "user", "content": "hello"}])
        assert server.requests == []
    assert "not retried" in raised.value.hint
