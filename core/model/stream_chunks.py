"""A chat completion as the server-sent chunks a streaming OpenAI-compatible server would send it in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

CHARS_PER_CHUNK = 4
MAX_CHUNKS_PER_TEXT = 200
"""Long texts go in fewer, larger pieces: a 1 MB answer in 4-character chunks would take minutes to parse."""


def _pieces(text: str) -> list[str]:
    size = max(CHARS_PER_CHUNK, -(-len(text) // MAX_CHUNKS_PER_TEXT))
    return [text[start : start + size] for start in range(0, len(text), size)]


def as_one_chunk(payload: Any) -> Any:
    """A whole answer (a `body` step) as a single streamed chunk: each choice's `message` becomes its `delta`,
    as it is; a body whose choices are not a list of objects goes unchanged."""
    choices = payload.get("choices") if isinstance(payload, dict) else None
    if not (isinstance(choices, list) and all(isinstance(choice, dict) for choice in choices)):
        return payload
    deltas = [
        {**{key: value for key, value in choice.items() if key != "message"}, "delta": choice.get("message")}
        for choice in choices
    ]
    return {**payload, "object": "chat.completion.chunk", "choices": deltas}


def stream_events(payload: dict[str, Any], include_usage: bool) -> Iterator[dict[str, Any]]:
    """A chat completion this server wrote (one choice) as the chunks a streaming server sends."""
    choices = payload["choices"]
    head: dict[str, Any] = {key: payload[key] for key in ("id", "created", "model") if key in payload}
    head["object"] = "chat.completion.chunk"

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}

    message = choices[0]["message"]
    yield chunk({"role": "assistant", "content": ""})
    for piece in _pieces(str(message.get("content") or "")):
        yield chunk({"content": piece})
    for index, call in enumerate(message.get("tool_calls") or []):
        function = call.get("function", {})
        opening = {
            "index": index,
            "id": call.get("id"),
            "type": "function",
            "function": {"name": function.get("name"), "arguments": ""},
        }
        yield chunk({"tool_calls": [opening]})
        for piece in _pieces(str(function.get("arguments") or "")):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, str(choices[0].get("finish_reason") or "stop"))
    if include_usage and "usage" in payload:
        yield {**head, "choices": [], "usage": payload["usage"]}
