"""Every model call's usage, with totals per role and for the whole job, and the call under way right now."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from core.model.base import Usage

Clock = Callable[[], float]
DEFAULT_STALL_AFTER_S = 60.0
PACE_CALLS = 5
"""The prompt-reading pace is the median of the server's last this many calls."""
MIN_READ_S = 1.0
"""Calls answered faster than this tell nothing about the pace (a cache hit, a short prompt)."""


@dataclass(frozen=True)
class UsageRecord:
    role: str
    alias: str
    model: str
    usage: Usage
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class LiveCall:
    """A model call under way: prepared (fitted, counted) until `sent`, then the server reads the prompt until
    `written` turns positive, then writes."""

    role: str
    alias: str
    prompt_tokens: int
    started: float
    last_heard: float
    """When the server last sent anything (the call's start until then); a clock reading of the ledger's clock."""
    written: int = 0
    """Tokens received so far (one per streamed piece of text or tool-call arguments)."""
    attempt: int = 1
    stall_after_s: float = DEFAULT_STALL_AFTER_S
    """Silence after which the progress line calls the server stalled (`models.stall_after_s`)."""
    sent: bool = True
    expected_read_s: float = 0.0
    """How long reading this prompt should take at the pace of the server's earlier calls (0: no pace known)."""
    heard_any: bool = False

    @property
    def reading(self) -> bool:
        return self.written == 0

    def silent_for(self, now: float) -> float:
        return max(0.0, now - self.last_heard)

    def stalled(self, now: float) -> bool:
        """Silent past `stall_after_s`, counted after the time the prompt should take to read."""
        allowed = self.stall_after_s + (self.expected_read_s if self.reading and not self.heard_any else 0.0)
        return self.sent and self.silent_for(now) >= allowed


class UsageLedger:
    """Thread-safe log of model calls; `cost_usd` stays None unless a price was configured.

    The client also reports the call under way (`call_started`, `heard`, `call_ended`), so whoever holds the
    ledger — the progress line — can tell a server reading a long prompt from one writing or one gone silent.
    """

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._records: list[UsageRecord] = []
        self._live: dict[int, LiveCall] = {}
        self._next_live = 0
        self._read_pace: list[float] = []
        """Prompt tokens per second of recent calls, measured from sending to the first answer."""
        self._lock = threading.Lock()

    def record(self, role: str, alias: str, usage: Usage, model: str = "") -> None:
        with self._lock:
            self._records.append(UsageRecord(role or "unknown", alias, model, usage))

    def call_started(
        self,
        role: str,
        alias: str,
        prompt_tokens: int,
        stall_after_s: float = DEFAULT_STALL_AFTER_S,
        attempt: int = 1,
        *,
        sent: bool = True,
    ) -> int:
        """A request was sent (or, `sent=False`, is being prepared); returns the handle `heard` and `call_ended`
        take. The latest call started is the one shown."""
        now = self.clock()
        with self._lock:
            self._next_live += 1
            expected = prompt_tokens / self._pace() if sent and self._read_pace else 0.0
            self._live[self._next_live] = LiveCall(
                role or "unknown", alias, prompt_tokens, now, now, 0, attempt, stall_after_s, sent, expected
            )
            return self._next_live

    def heard(self, handle: int, tokens: int = 0) -> None:
        """The server sent something for this call, carrying `tokens` new tokens (0: a chunk with no text)."""
        now = self.clock()
        with self._lock:
            call = self._live.get(handle)
            if call is None:
                return
            read_s = now - call.started
            if not call.heard_any and call.sent and call.prompt_tokens > 0 and read_s >= MIN_READ_S:
                self._read_pace = [*self._read_pace, call.prompt_tokens / read_s][-PACE_CALLS:]
            self._live[handle] = replace(call, last_heard=now, written=call.written + tokens, heard_any=True)

    def _pace(self) -> float:
        ordered = sorted(self._read_pace)
        return ordered[len(ordered) // 2]

    def call_ended(self, handle: int) -> None:
        with self._lock:
            self._live.pop(handle, None)

    def live_call(self) -> LiveCall | None:
        """The most recently started call still under way."""
        with self._lock:
            return self._live[max(self._live)] if self._live else None

    @property
    def records(self) -> list[UsageRecord]:
        with self._lock:
            return list(self._records)

    def by_role(self) -> dict[str, Usage]:
        totals: dict[str, Usage] = {}
        for record in self.records:
            totals[record.role] = totals.get(record.role, Usage()) + record.usage
        return totals

    def calls_by_role(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.records:
            counts[record.role] = counts.get(record.role, 0) + 1
        return counts

    def total(self) -> Usage:
        total = Usage()
        for record in self.records:
            total = total + record.usage
        return total

    def to_dict(self) -> dict[str, Any]:
        calls = self.calls_by_role()
        return {
            "total": {**self.total().to_dict(), "calls": len(self.records)},
            "by_role": {role: {**usage.to_dict(), "calls": calls[role]} for role, usage in self.by_role().items()},
        }
