"""A model's answer read the same way from a whole HTTP response or from the chunks of a streamed one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.model.base import ToolCall


@dataclass(frozen=True)
class Answer:
    """What a completion needs from the server's reply; token counts are 0 where the server reported none."""

    content: str
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    has_choice: bool
    """False when the reply held no choice at all (a garbled answer)."""


def _reported_tokens(usage: Any) -> tuple[int, int]:
    return int(getattr(usage, "prompt_tokens", 0) or 0), int(getattr(usage, "completion_tokens", 0) or 0)


def answer_of_response(response: Any) -> Answer:
    """The answer in a non-streamed response (litellm's `ModelResponse`)."""
    prompt_tokens, completion_tokens = _reported_tokens(getattr(response, "usage", None))
    model = str(getattr(response, "model", None) or "")
    choices = getattr(response, "choices", None) or []
    if not choices:
        return Answer("", (), "", model, prompt_tokens, completion_tokens, False)
    choice = choices[0]
    message = choice.message
    calls = []
    for index, call in enumerate(getattr(message, "tool_calls", None) or []):
        function = getattr(call, "function", None)
        calls.append(
            ToolCall(
                id=str(getattr(call, "id", None) or f"call_{index}"),
                name=str(getattr(function, "name", None) or ""),
                arguments=str(getattr(function, "arguments", None) or ""),
            )
        )
    return Answer(
        content=str(getattr(message, "content", None) or ""),
        tool_calls=tuple(calls),
        finish_reason=str(getattr(choice, "finish_reason", None) or ""),
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        has_choice=True,
    )


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class StreamedAnswer:
    """Collects the chunks of a streamed answer; `add` says how many tokens a chunk carried (for live progress)."""

    def __init__(self) -> None:
        self._content: list[str] = []
        self._calls: dict[int, _PartialCall] = {}
        self._finish_reason = ""
        self._model = ""
        self._usage: tuple[int, int] = (0, 0)
        self._has_choice = False
        self.tokens = 0
        """Chunks that carried text or tool-call arguments: the tokens written, as far as the stream shows."""

    def add(self, chunk: Any) -> int:
        self._model = self._model or str(getattr(chunk, "model", None) or "")
        usage = getattr(chunk, "usage", None)
        if usage is not None and any(_reported_tokens(usage)):
            self._usage = _reported_tokens(usage)
        carried = 0
        for choice in getattr(chunk, "choices", None) or []:
            if getattr(choice, "index", 0) not in (0, None):
                continue
            self._has_choice = True
            self._finish_reason = str(getattr(choice, "finish_reason", None) or self._finish_reason)
            delta = getattr(choice, "delta", None)
            text = str(getattr(delta, "content", None) or "")
            self._content.append(text)
            thinking = getattr(delta, "reasoning_content", None)
            carried += int(bool(text) or bool(thinking)) + self._add_calls(getattr(delta, "tool_calls", None) or [])
        self.tokens += min(carried, 1)
        return min(carried, 1)

    def _add_calls(self, deltas: Any) -> int:
        if not isinstance(deltas, list):
            return 0
        carried = 0
        for delta in deltas:
            call_id = str(getattr(delta, "id", None) or "")
            call = self._calls.setdefault(self._index_of(getattr(delta, "index", None), call_id), _PartialCall())
            call.id = call.id or call_id
            function = getattr(delta, "function", None)
            call.name = call.name or str(getattr(function, "name", None) or "")
            piece = str(getattr(function, "arguments", None) or "")
            call.arguments.append(piece)
            carried += int(bool(piece) or bool(call_id))
        return carried

    def _index_of(self, index: Any, call_id: str) -> int:
        """The call a delta continues: by its index, else by its id, else the last call (a new one for a new id)."""
        if isinstance(index, int):
            return index
        for known, call in self._calls.items():
            if call_id and call.id == call_id:
                return known
        if call_id or not self._calls:
            return len(self._calls)
        return max(self._calls)

    def answer(self) -> Answer:
        calls = tuple(
            ToolCall(call.id or f"call_{position}", call.name, "".join(call.arguments))
            for position, (_, call) in enumerate(sorted(self._calls.items()))
        )
        return Answer(
            content="".join(self._content),
            tool_calls=calls,
            finish_reason=self._finish_reason,
            model=self._model,
            prompt_tokens=self._usage[0],
            completion_tokens=self._usage[1] or self.tokens,
            has_choice=self._has_choice,
        )
