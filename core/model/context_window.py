"""Fit a chat request into the model's context window so that no request is ever rejected for length.

Three moves, cheapest loss first, until the messages fit `limit_tokens`:

1. cut any single over-long message (a tool observation usually) to its head and tail, with a note;
2. fold older tool results, oldest first, into one-line summaries (and long tool-call arguments into a
   short JSON note) — never the system prompt, the first user message or the last few messages;
3. halve the largest remaining messages, then drop whole older turns (an assistant message with its tool
   results, so every `tool_call_id` still answers a call).

The caller's list is never changed; the trajectory keeps the full text.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable

from core.model.base import Message

TokenCounter = Callable[[list[Message]], int]

KEEP_RECENT_MESSAGES = 4
LONG_ARGUMENTS_CHARS = 2000
CHARS_PER_TOKEN_ESTIMATE = 3.5


def cut_note(removed_chars: int) -> str:
    return f"\n[… {removed_chars} characters cut to fit the context window; the full text is in the trajectory …]\n"


def cut_text(text: str, keep_chars: int) -> str:
    """Head and tail of `text` with a note in between, about `keep_chars` long; `text` itself if it fits."""
    if len(text) <= keep_chars:
        return text
    keep_chars = max(keep_chars, 40)
    head = int(keep_chars * 0.6)
    tail = keep_chars - head
    return text[:head] + cut_note(len(text) - head - tail) + text[len(text) - tail :]


def estimate_tokens(messages: list[Message]) -> int:
    """Offline estimate: characters / 3.5 plus a few tokens of framing per message."""
    total = 0
    for message in messages:
        total += 4 + int(len(json.dumps(message, ensure_ascii=False)) / CHARS_PER_TOKEN_ESTIMATE)
    return total


def litellm_token_counter(model: str) -> TokenCounter:
    """litellm's counter (tiktoken files bundled with litellm, no download); the estimate if it fails."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm

        litellm.token_counter(model=model, messages=[{"role": "user", "content": "probe"}])
    except Exception:
        return estimate_tokens

    def count(messages: list[Message]) -> int:
        try:
            return int(litellm.token_counter(model=model, messages=messages))
        except Exception:
            return estimate_tokens(messages)

    return count


class _Fitter:
    def __init__(self, messages: list[Message], limit: int, count_tokens: TokenCounter) -> None:
        self.messages = copy.deepcopy(messages)
        self.limit = limit
        self.count_tokens = count_tokens
        self.sizes = [self._count(m) for m in self.messages]
        self.changed: set[int] = set()
        self.dropped = 0
        self.protected = self._protected_indexes()

    def _count(self, message: Message) -> int:
        return self.count_tokens([message])

    def total(self) -> int:
        return sum(self.sizes)

    def fits(self) -> bool:
        return self.total() <= self.limit

    def _protected_indexes(self) -> set[int]:
        protected = set(range(max(0, len(self.messages) - KEEP_RECENT_MESSAGES), len(self.messages)))
        if self.messages and self.messages[0].get("role") == "system":
            protected.add(0)
        first_user = next((i for i, m in enumerate(self.messages) if m.get("role") == "user"), None)
        if first_user is not None:
            protected.add(first_user)
        return protected

    def _set_content(self, index: int, content: str) -> None:
        self.messages[index]["content"] = content
        self.sizes[index] = self._count(self.messages[index])
        self.changed.add(index)

    def _cut_message(self, index: int, target_tokens: int) -> None:
        content = self.messages[index].get("content")
        if not isinstance(content, str) or self.sizes[index] <= target_tokens:
            return
        ratio = len(content) / max(self.sizes[index], 1)
        self._set_content(index, cut_text(content, int(target_tokens * ratio)))

    def cut_long_messages(self) -> None:
        for index, message in enumerate(self.messages):
            share = 4 if message.get("role") == "tool" else 2
            self._cut_message(index, max(self.limit // share, 32))

    def _tool_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for message in self.messages:
            for call in message.get("tool_calls") or []:
                function = call.get("function", {})
                names[str(call.get("id"))] = f"{function.get('name', '?')}({str(function.get('arguments', ''))[:80]})"
        return names

    def fold_old_tool_results(self) -> None:
        names = self._tool_names()
        for index, message in enumerate(self.messages):
            if self.fits():
                return
            if index in self.protected:
                continue
            if message.get("role") == "tool" and "[folded:" not in str(message.get("content", "")):
                content = str(message.get("content") or "")
                first_line = next((line.strip() for line in content.splitlines() if line.strip()), "")[:120]
                call = names.get(str(message.get("tool_call_id")), "a tool call")
                summary = (
                    f"[folded: result of {call} — {len(content)} characters, first line: {first_line!r}; "
                    "the full text is in the trajectory]"
                )
                self._set_content(index, summary)
            for call in message.get("tool_calls") or []:
                function = call.get("function", {})
                arguments = str(function.get("arguments") or "")
                if len(arguments) > LONG_ARGUMENTS_CHARS:
                    function["arguments"] = json.dumps({"folded": f"{len(arguments)} characters of arguments"})
                    self.sizes[index] = self._count(message)
                    self.changed.add(index)

    def halve_largest(self) -> None:
        for _ in range(8 * max(len(self.messages), 1)):
            if self.fits():
                return
            index = max(range(len(self.messages)), key=lambda i: self.sizes[i])
            content = self.messages[index].get("content")
            if not isinstance(content, str) or len(content) < 400:
                return
            self._set_content(index, cut_text(content, len(content) // 2))

    def drop_old_turns(self) -> None:
        while not self.fits():
            start = next(
                (i for i, m in enumerate(self.messages) if i not in self.protected and m.get("role") != "tool"),
                None,
            )
            if start is None:
                return
            end = start + 1
            while end < len(self.messages) and self.messages[end].get("role") == "tool":
                end += 1
            if any(i in self.protected for i in range(start, end)):
                return
            del self.messages[start:end]
            del self.sizes[start:end]
            self.dropped += end - start
            shift = end - start
            self.changed = {i - shift if i >= end else i for i in self.changed if not start <= i < end}
            self.protected = {i - shift if i >= end else i for i in self.protected}


def fit_messages(
    messages: list[Message], limit_tokens: int, count_tokens: TokenCounter = estimate_tokens
) -> tuple[list[Message], int]:
    """The messages fitted into `limit_tokens`, and how many were cut, folded or dropped to get there."""
    fitter = _Fitter(messages, limit_tokens, count_tokens)
    if fitter.fits():
        return fitter.messages, 0
    for step in (
        fitter.cut_long_messages,
        fitter.fold_old_tool_results,
        fitter.halve_largest,
        fitter.drop_old_turns,
    ):
        step()
        if fitter.fits():
            break
    return fitter.messages, len(fitter.changed) + fitter.dropped
