"""The scripted model server over raw HTTP: endpoints, replay order, loud failures, the standalone process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from core.model.scripted_server import ScriptedModelServer
from tests.model_fixtures import text_step, tool_step


def post(base_url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return dict(json.loads(response.read()))


def chat(text: str, role: str = "planner") -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": text}], "user": f"swe-team:{role}"}


def test_models_and_health_describe_the_script() -> None:
    with ScriptedModelServer({"context_window": 4096, "model": "tiny", "steps": [text_step("a")]}) as server:
        models = get(f"{server.base_url}/models")
        health = get(server.base_url.removesuffix("/v1") + "/health")
    assert models["data"][0]["id"] == "tiny" and models["data"][0]["max_model_len"] == 4096
    assert health == {"status": "ok", "remaining_steps": 1}


def test_steps_are_replayed_in_order_with_usage_and_tool_calls(tmp_path: Path) -> None:
    record = tmp_path / "requests.jsonl"
    script = {"steps": [text_step("first"), tool_step("edit", "{broken", role="coder")]}
    with ScriptedModelServer(script, record_path=record) as server:
        status1, first = post(server.base_url, chat("hello"))
        status2, second = post(server.base_url, chat("again", role="coder"))
    assert (status1, status2) == (200, 200)
    assert first["choices"][0]["message"]["content"] == "first"
    assert first["usage"]["prompt_tokens"] > 0 and first["id"].startswith("chatcmpl-")
    call = second["choices"][0]["message"]["tool_calls"][0]
    assert call["function"] == {"name": "edit", "arguments": "{broken"}
    assert second["choices"][0]["finish_reason"] == "tool_calls"
    assert server.remaining == 0 and server.failures == []
    assert [json.loads(line)["messages"][0]["content"] for line in record.read_text().splitlines()] == [
        "hello",
        "again",
    ]


def test_an_extra_call_gets_400_with_an_explanation() -> None:
    with ScriptedModelServer({"steps": [text_step("only")]}) as server:
        post(server.base_url, chat("one"))
        status, body = post(server.base_url, chat("two: " + "x" * 1000))
    assert status == 400
    message = body["error"]["message"]
    assert "unexpected call 2" in message and "only 1 steps" in message and "two: xxx" in message
    assert len(message) < 1000
    assert server.failures == [message]


def test_a_wrong_role_is_refused_and_named() -> None:
    with ScriptedModelServer({"steps": [text_step("plan", role="planner")]}) as server:
        status, body = post(server.base_url, chat("hi", role="coder"))
    assert status == 400
    assert "expected role 'planner', got 'coder'" in body["error"]["message"]
    assert server.remaining == 0


def test_a_request_cut_off_by_a_dying_client_uses_no_step() -> None:
    with ScriptedModelServer({"steps": [text_step("kept")]}) as server:
        host, port = server.base_url.removeprefix("http://").removesuffix("/v1").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as client:
            client.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"mod")
            client.shutdown(socket.SHUT_WR)
            assert client.recv(1024) == b""
        status, body = post(server.base_url, chat("after"))
    assert (status, body["choices"][0]["message"]["content"]) == (200, "kept")
    assert server.failures == [] and len(server.requests) == 1


def test_a_scripted_server_error_consumes_its_step() -> None:
    with ScriptedModelServer({"steps": [{"status": 503}, text_step("ok")]}) as server:
        assert post(server.base_url, chat("a"))[0] == 503
        assert post(server.base_url, chat("a"))[0] == 200


def stream(base_url: str, body: dict[str, Any]) -> list[Any]:
    """The events of a streamed answer, `[DONE]` included."""
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps({**body, "stream": True, "stream_options": {"include_usage": True}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        lines = response.read().decode().splitlines()
    data = [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]
    return [text if text == "[DONE]" else json.loads(text) for text in data]


def test_a_streamed_answer_comes_in_chunks_that_add_up_to_the_answer() -> None:
    script = {"steps": [{"response": {"content": "the cart was empty", "tool_calls": [
        {"id": "call_a", "name": "view_file", "arguments": {"path": "shop/cart.py"}},
        {"id": "call_b", "name": "edit", "arguments": "{broken"},
    ]}}]}  # fmt: skip
    with ScriptedModelServer(script) as server:
        events = stream(server.base_url, chat("why?"))
    assert events[-1] == "[DONE]"
    *chunks, usage = events[:-1]
    deltas = [chunk["choices"][0]["delta"] for chunk in chunks]
    assert deltas[0]["role"] == "assistant"
    assert "".join(d.get("content") or "" for d in deltas) == "the cart was empty"
    assert len([d for d in deltas if d.get("content")]) > 1, "text comes in pieces"
    arguments: dict[int, str] = {}
    for delta in deltas:
        for call in delta.get("tool_calls", []):
            arguments[call["index"]] = arguments.get(call["index"], "") + call["function"]["arguments"]
    assert arguments == {0: '{"path": "shop/cart.py"}', 1: "{broken"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] > 0


def test_a_server_without_streaming_refuses_it_and_keeps_the_step() -> None:
    with ScriptedModelServer({"refuse_streaming": True, "steps": [text_step("a")]}) as server:
        with pytest.raises(urllib.error.HTTPError) as refused:
            stream(server.base_url, chat("a"))
        assert refused.value.code == 400 and "not supported" in json.loads(refused.value.read())["error"]["message"]
        assert post(server.base_url, chat("a"))[0] == 200
    assert server.failures == []


def test_it_runs_as_its_own_process(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": [text_step("from a process")]}))
    record = tmp_path / "record.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "core.model.scripted_server", str(script), "--record", str(record)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        status, body = post(base_url, chat("hi"))
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert status == 200 and body["choices"][0]["message"]["content"] == "from a process"
    assert json.loads(record.read_text())["user"] == "swe-team:planner"


def test_a_missing_script_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ScriptedModelServer(tmp_path / "nope.json")
