"""`Redactor`: finds secrets in text and replaces each with `[REDACTED:<kind>]`, counting distinct values by kind.

One `Redactor` is shared by everything of a job that writes text out (model client, trajectory, report), so the
report can say what was kept back. It holds only short fingerprints of what it replaced, never the values.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from core.redaction.config import RedactionSettings
from core.redaction.rules import rules_for
from core.redaction.scan import Scan

PLACEHOLDER_FORMAT = "[REDACTED:{kind}]"
CACHE_CHARACTERS = 16_000_000
"""Texts remembered with their redaction, oldest forgotten first: a conversation re-sends its earlier messages on
every call, and a role's loop would otherwise redact its whole history again at each step."""
MIN_CACHED_LENGTH = 64


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int
    value: str

    @property
    def placeholder(self) -> str:
        return PLACEHOLDER_FORMAT.format(kind=self.kind)


@dataclass(frozen=True)
class Redacted:
    text: str
    counts: dict[str, int] = field(default_factory=dict)
    """Replacements made in this text, by kind."""


class Redactor:
    def __init__(self, settings: RedactionSettings | None = None) -> None:
        self.settings = settings or RedactionSettings()
        self._allow = [re.compile(pattern) for pattern in self.settings.allowlist]
        self._seen: dict[str, set[str]] = {}
        self._cache: dict[str, Redacted] = {}
        self._cached_characters = 0
        self._lock = threading.Lock()

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping secrets in `text`, in order; the more specific rule wins where two overlap."""
        if not self.settings.enabled or not text:
            return []
        found: list[tuple[int, int, int, str]] = []
        scan = Scan(text)
        for rule in rules_for(self.settings):
            for start, end in rule.spans(scan):
                found.append((rule.specificity, start - end, start, rule.kind))
        found.sort()
        taken: list[Hit] = []
        for _, negative_length, start, kind in found:
            end = start - negative_length
            value = text[start:end]
            if "[REDACTED:" in value or any(allowed.search(value) for allowed in self._allow):
                continue
            if all(end <= hit.start or start >= hit.end for hit in taken):
                taken.append(Hit(kind, start, end, value))
        return sorted(taken, key=lambda hit: hit.start)

    def redact(self, text: str) -> Redacted:
        """`text` with every secret replaced; distinct values are remembered (as fingerprints) for `counts`."""
        cached = self._cache.get(text) if len(text) >= MIN_CACHED_LENGTH else None
        if cached is not None:
            return cached
        hits = self.find(text)
        if not hits:
            result = Redacted(text)
        else:
            parts: list[str] = []
            cursor = 0
            for hit in hits:
                parts += [text[cursor : hit.start], hit.placeholder]
                cursor = hit.end
            parts.append(text[cursor:])
            result = Redacted("".join(parts), dict(Counter(hit.kind for hit in hits)))
            self._remember(hits)
        if MIN_CACHED_LENGTH <= len(text) <= CACHE_CHARACTERS // 4:
            self._remember_text(text, result)
        return result

    def _remember_text(self, text: str, result: Redacted) -> None:
        with self._lock:
            while self._cache and self._cached_characters + len(text) > CACHE_CHARACTERS:
                oldest = next(iter(self._cache))
                del self._cache[oldest]
                self._cached_characters -= len(oldest)
            if text not in self._cache:
                self._cache[text] = result
                self._cached_characters += len(text)

    def _remember(self, hits: list[Hit]) -> None:
        with self._lock:
            for hit in hits:
                fingerprint = hashlib.blake2b(hit.value.encode("utf-8", "replace"), digest_size=8).hexdigest()
                self._seen.setdefault(hit.kind, set()).add(fingerprint)

    def counts(self) -> dict[str, int]:
        """Distinct values replaced so far, by kind (a secret re-sent on every model call counts once)."""
        with self._lock:
            return {kind: len(values) for kind, values in sorted(self._seen.items())}

    def text(self, text: str) -> str:
        return self.redact(text).text

    def data(self, value: Any) -> Any:
        """`value` (JSON-like: dicts, lists, strings) with every string redacted; keys and other values kept."""
        if isinstance(value, str):
            return self.redact(value).text
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value

    def messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Chat messages with their text redacted: contents and tool-call arguments, never roles, names or ids
        (a redacted id would no longer pair a tool result with its call)."""
        return [self._message(message) for message in messages]

    def _message(self, message: dict[str, Any]) -> dict[str, Any]:
        out = dict(message)
        content = message.get("content")
        if isinstance(content, str):
            out["content"] = self.text(content)
        elif isinstance(content, list):
            out["content"] = [
                {**part, "text": self.text(part["text"])} if isinstance(part.get("text"), str) else part
                for part in content
                if isinstance(part, dict)
            ]
        if message.get("tool_calls"):
            out["tool_calls"] = [self._tool_call(call) for call in message["tool_calls"]]
        return out

    def _tool_call(self, call: Any) -> Any:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("arguments"), str):
            return call
        return {**call, "function": {**function, "arguments": self.text(function["arguments"])}}


def find_secrets(text: str, settings: RedactionSettings | None = None) -> list[Hit]:
    """The secrets in `text` under `settings` (defaults when None)."""
    return Redactor(settings).find(text)


def redact(text: str, settings: RedactionSettings | None = None) -> Redacted:
    """`text` with its secrets replaced, and how many of each kind."""
    return Redactor(settings).redact(text)
