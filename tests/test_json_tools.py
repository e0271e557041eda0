"""Tool calling through constrained JSON, as the client uses it with llama-cpp-python servers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from core.model.scripted_server import ScriptedModelServer
from tests.model_fixtures import VIEW_FILE_TOOL, client_for, text_step

EARLIER_TURN = [
    {"role": "system", "content": "You are the localizer."},
    {"role": "user", "content": "checkout fails on an empty cart"},
    {"role": "assistant", "content": "", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "view_file", "arguments": '{"path": "a.py"}'}}
    ]},
    {"role": "tool", "tool_call_id": "c1", "name": "view_file", "content": "1 | def total(): ..."},
]


def _llama_like(steps: list[dict[str, object]]) -> dict[str, object]:
    return {"owned_by": "me", "reject_json_schema": True, "steps": steps}


def test_llama_cpp_python_servers_get_tools_as_a_json_grammar_and_the_reply_becomes_a_tool_call(
    tmp_path: Path,
) -> None:
    reply = json.dumps({"tool": "view_file", "arguments": {"path": "shop/cart.py"}})
    with ScriptedModelServer(_llama_like([text_step(reply)])) as server:
        completion = client_for(server, tmp_path).complete(EARLIER_TURN, tools=[VIEW_FILE_TOOL], role="localizer")
    (call,) = completion.tool_calls
    assert (call.name, json.loads(call.arguments)) == ("view_file", {"path": "shop/cart.py"})
    sent = server.requests[-1]
    assert "tools" not in sent
    assert sent["response_format"]["type"] == "json_object"
    jsonschema.validate(json.loads(reply), sent["response_format"]["schema"])
    assert "view_file: Show a window of a file." in sent["messages"][0]["content"]
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]
    assert sent["messages"][3]["content"].startswith("Result of view_file:")


def test_a_reply_that_is_not_a_tool_call_stays_text_for_the_loop_to_send_back(tmp_path: Path) -> None:
    with ScriptedModelServer(_llama_like([text_step("I would look at the cart.")])) as server:
        completion = client_for(server, tmp_path).complete(EARLIER_TURN, tools=[VIEW_FILE_TOOL], role="localizer")
    assert completion.tool_calls == ()
    assert completion.content == "I would look at the cart."


def test_native_tool_calling_can_be_forced_for_any_server(tmp_path: Path) -> None:
    reply = {"response": {"tool_calls": [{"name": "view_file", "arguments": {"path": "a.py"}}]}}
    with ScriptedModelServer(_llama_like([reply])) as server:
        completion = client_for(server, tmp_path, tool_calling="native").complete(EARLIER_TURN, tools=[VIEW_FILE_TOOL])
    assert completion.tool_calls[0].name == "view_file"
    assert server.requests[-1]["tools"][0]["function"]["name"] == "view_file"
