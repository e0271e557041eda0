"""A real OpenAI-compatible HTTP server that replays a script of model answers, for tests and benchmarks.

The client under test talks to it over HTTP exactly as it talks to vLLM or llama.cpp. The server fails loudly:
a call it has no step for, or a call that breaks the step's expectations, gets HTTP 400 with an explanation
(a 4xx is never retried, so the job fails visibly) and the explanation is kept in `.failures`.

Script format (JSON file, JSON text or a dict)::

    {
      "context_window": 8192,             # reported by GET /v1/models (optional, default 8192)
      "model": "scripted",                # model id reported (optional)
      "owned_by": "me",                   # GET /v1/models `owned_by` ("me" mimics llama-cpp-python; optional)
      "reject_json_schema": false,        # true: answer response_format json_schema with 400, as llama.cpp
                                          # does (no step is consumed, nothing is recorded as a failure)
      "refuse_streaming": false,          # true: answer "stream": true with 400, as a server without streaming
                                          # would (no step is consumed, nothing is recorded as a failure)
      "steps": [                          # consumed in order, one per POST /v1/chat/completions
        {
          "expect": {                     # optional checks on the request
            "role": "planner",            # the `user` field must be "swe-team:planner" (or "planner")
            "prompt_contains": ["text"]   # each text must occur in the concatenated request messages
          },
          "response": {
            "content": "answer text",     # optional
            "tool_calls": [               # optional
              {"name": "view_file", "arguments": {"path": "a.py"}},
              {"name": "edit", "arguments": "{not json"}      # a string is sent as is: garbled JSON
            ],
            "finish_reason": "stop"       # optional; "tool_calls" when tool calls are present
          },
          "body": {"choices": []},        # optional: send this JSON body as the answer instead (malformed
                                          # answers: no choices, wrong types)
          "status": 500,                  # optional: answer this call with that HTTP error (step consumed),
                                          # with `body` as its JSON when given;
                                          # 0 closes the connection without an answer, like a crashing server
          "delay_s": 0.0,                 # optional: wait before answering (a server reading a long prompt)
          "token_delay_s": 0.0,           # optional, streamed answers: wait between chunks (a slow writer)
          "stall_s": 0.0                  # optional, streamed answers: go silent this long after the first token
        }
      ]
    }

A request with ``"stream": true`` gets the same answer as server-sent events, the way vLLM and llama.cpp send
them: a role chunk, the text and each tool call's arguments in pieces of a few characters, a chunk with the
finish reason, a usage chunk when ``stream_options.include_usage`` is set, then ``[DONE]``. A ``body`` step is
sent as one chunk, each choice's message as its delta, malformed or not. A client that hangs up mid-stream is
counted in ``.abandoned``.

Run it on its own: ``python -m core.model.scripted_server SCRIPT.json [--port N] [--record FILE]``; it prints
the base URL (``http://127.0.0.1:PORT/v1``) on its first line and serves until interrupted.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from core.model.stream_chunks import as_one_chunk, stream_events

ScriptSource = str | Path | dict[str, Any]
EXCERPT_CHARS = 300
DROP = 0
"""A step `status` that closes the connection without answering."""


@dataclass(frozen=True)
class Reply:
    """How to answer one request: the HTTP status and JSON body, and the pace of a streamed answer."""

    status: int
    payload: dict[str, Any]
    delay_s: float = 0.0
    token_delay_s: float = 0.0
    stall_s: float = 0.0
    verbatim: bool = False
    """A `body` step: streamed as one chunk, its messages as they are (malformed ones too)."""


def load_script(script: ScriptSource) -> dict[str, Any]:
    """A script from a dict, a path to a JSON file, or JSON text."""
    if isinstance(script, dict):
        return script
    if isinstance(script, Path) or not script.lstrip().startswith("{"):
        return dict(json.loads(Path(script).read_text(encoding="utf-8")))
    return dict(json.loads(script))


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    parts = [str(content or "")]
    for call in message.get("tool_calls") or []:
        function = call.get("function", {})
        parts.append(f"{function.get('name', '')}({function.get('arguments', '')})")
    return "\n".join(parts)


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class ScriptedModelServer:
    """Serves a script on 127.0.0.1; `.start()` returns the base URL to give the client as api_base."""

    def __init__(self, script: ScriptSource, record_path: Path | None = None, port: int = 0) -> None:
        self.script = load_script(script)
        self.steps: list[dict[str, Any]] = list(self.script.get("steps", []))
        self.record_path = record_path
        self.requests: list[dict[str, Any]] = []
        self.failures: list[str] = []
        self.abandoned = 0
        """Streamed answers the client hung up on before their end."""
        self._port = port
        self._lock = threading.Lock()
        self._next_step = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url = ""

    @property
    def remaining(self) -> int:
        """Steps not yet consumed."""
        return len(self.steps) - self._next_step

    @property
    def context_window(self) -> int:
        return int(self.script.get("context_window", 8192))

    @property
    def base_url(self) -> str:
        """The URL to give a client as api_base; it stays readable after `stop()`."""
        if not self._base_url:
            raise RuntimeError("the scripted server was never started")
        return self._base_url

    def start(self) -> str:
        server = self

        class Handler(_Handler):
            scripted = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="scripted-model", daemon=True)
        self._thread.start()
        self._base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
        return self._base_url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ScriptedModelServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def answer(self, body: dict[str, Any]) -> Reply:
        """The reply to one chat completion request."""
        response_format = body.get("response_format") or {}
        if self.script.get("reject_json_schema") and response_format.get("type") == "json_schema":
            error = {"message": "response_format type json_schema is not supported; use json_object with a schema"}
            return Reply(400, {"error": {**error, "type": "invalid_request_error"}})
        with self._lock:
            self.requests.append(body)
            if self.record_path is not None:
                with self.record_path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(body) + "\n")
            call_number = len(self.requests)
            step = self.next_step(body)
            if step is None:
                return self._fail(call_number, body, f"the script has only {len(self.steps)} steps")
        mismatch = self._check_expectations(step.get("expect", {}), body)
        if mismatch:
            with self._lock:
                return self._fail(call_number, body, mismatch)
        delay = float(step.get("delay_s", 0.0))
        status = int(step.get("status", 200))
        if status == DROP:
            return Reply(DROP, {}, delay)
        if status != 200:
            error = {"message": f"scripted error {status} at call {call_number}", "type": "server_error"}
            return Reply(status, step.get("body", {"error": error}), delay)
        if "body" in step:
            return Reply(200, step["body"], delay, verbatim=True)
        payload = self._completion(step.get("response", {}), body)
        return Reply(200, payload, delay, float(step.get("token_delay_s", 0.0)), float(step.get("stall_s", 0.0)))

    def next_step(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The step answering this request (None: none is left): the next one in order. A server that answers by
        other rules (by role and turn, from a queue) overrides this; it is called under the server's lock."""
        if self._next_step >= len(self.steps):
            return None
        step = self.steps[self._next_step]
        self._next_step += 1
        return step

    def _fail(self, call_number: int, body: dict[str, Any], reason: str) -> Reply:
        messages = body.get("messages") or [{}]
        last = _message_text(messages[-1])
        excerpt = last if len(last) <= EXCERPT_CHARS else last[:EXCERPT_CHARS] + " …"
        text = (
            f"scripted model server: unexpected call {call_number} "
            f"(user={body.get('user', '')!r}): {reason}. "
            f"Last message ({messages[-1].get('role', '?')}): {excerpt!r}"
        )
        self.failures.append(text)
        return Reply(400, {"error": {"message": text, "type": "invalid_request_error", "code": "script_mismatch"}})

    @staticmethod
    def _check_expectations(expect: dict[str, Any], body: dict[str, Any]) -> str:
        user = str(body.get("user") or "")
        got_role = user.removeprefix("swe-team:")
        wanted_role = expect.get("role")
        if wanted_role is not None and got_role != wanted_role:
            return f"expected role {wanted_role!r}, got {got_role!r}"
        prompt = "\n".join(_message_text(m) for m in body.get("messages", []))
        missing = [text for text in expect.get("prompt_contains", []) if text not in prompt]
        if missing:
            return f"expected the prompt to contain {missing!r}"
        return ""

    def _completion(self, response: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        tool_calls = []
        for call in response.get("tool_calls", []):
            arguments = call.get("arguments", {})
            tool_calls.append(
                {
                    "id": call.get("id") or f"call_{uuid.uuid4().hex[:12]}",
                    "type": "function",
                    "function": {
                        "name": call.get("name", ""),
                        "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                    },
                }
            )
        message: dict[str, Any] = {"role": "assistant", "content": response.get("content")}
        if tool_calls:
            message["tool_calls"] = tool_calls
        finish = response.get("finish_reason") or ("tool_calls" if tool_calls else "stop")
        prompt_tokens = sum(_estimate_tokens(_message_text(m)) for m in body.get("messages", []))
        completion_tokens = _estimate_tokens(_message_text(message))
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or self.script.get("model", "scripted")),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


class _Handler(BaseHTTPRequestHandler):
    scripted: ScriptedModelServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        path = self.path.split("?")[0].rstrip("/")
        if path in ("/health", "/v1/health"):
            self._send(200, {"status": "ok", "remaining_steps": self.scripted.remaining})
        elif path in ("/v1/models", "/models"):
            model = {
                "id": self.scripted.script.get("model", "scripted"),
                "object": "model",
                "owned_by": self.scripted.script.get("owned_by", "swe-team-scripted"),
            }
            if "owned_by" not in self.scripted.script:
                model["max_model_len"] = self.scripted.context_window
            self._send(200, {"object": "list", "data": [model]})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if len(raw) < length:
            # the client died mid-request (a killed worker): no call to answer, and no step used
            self.close_connection = True
            return
        path = self.path.split("?")[0].rstrip("/")
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError as exc:
            self._send(400, {"error": {"message": f"request body is not JSON: {exc}", "type": "invalid_request"}})
            return
        if body.get("stream") and self.scripted.script.get("refuse_streaming"):
            message = "streaming is not supported by this server; send stream: false"
            self._send(400, {"error": {"message": message, "type": "invalid_request_error"}})
            return
        reply = self.scripted.answer(body)
        if reply.status == 200 and body.get("stream"):
            self._stream(reply, bool((body.get("stream_options") or {}).get("include_usage")))
            return
        if reply.delay_s > 0:
            time.sleep(reply.delay_s)
        if reply.status == DROP:
            self.close_connection = True
            return
        self._send(reply.status, reply.payload)

    def _stream(self, reply: Reply, include_usage: bool) -> None:
        """Server-sent events: headers at once, then (after the delay) the answer in chunks."""
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            time.sleep(reply.delay_s)
            events = [as_one_chunk(reply.payload)] if reply.verbatim else stream_events(reply.payload, include_usage)
            for position, event in enumerate(events):
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                time.sleep(reply.token_delay_s + (reply.stall_s if position == 1 else 0.0))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:
            with self.scripted._lock:
                self.scripted.abandoned += 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a scripted OpenAI-compatible model.")
    parser.add_argument("script", type=Path, help="the script JSON file")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--record", type=Path, default=None, help="append every request body to this JSONL file")
    args = parser.parse_args(argv)
    server = ScriptedModelServer(args.script, record_path=args.record, port=args.port)
    print(server.start(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
