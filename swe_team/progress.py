"""The live line a user watches during a job: role, step, the model call under way, tokens, elapsed time.

The clock runs between events: a refresh thread redraws the spinner line on a terminal twice a second. Elsewhere
(logs, CI, a pipe) lines are printed on a role change, when the model server goes silent past
`models.stall_after_s` and when it speaks again, and as a heartbeat after `HEARTBEAT_S` without a line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.status import Status

from core.model.usage_ledger import LiveCall

HEARTBEAT_S = 30.0
REFRESH_S = 0.5
STALL_ADVICE = "Ctrl-C to stop; the job resumes with `swe-team resume`"


def describe_call(call: LiveCall, now: float) -> str:
    """What the model server is doing for the call under way, in a few words."""
    if not call.sent:
        return "preparing the request"
    retry = f" (attempt {call.attempt})" if call.attempt > 1 else ""
    if call.stalled(now):
        return f"model server silent for {call.silent_for(now):.0f} s (stalled?){retry} — {STALL_ADVICE}"
    if call.reading:
        pace = f", about {call.expected_read_s:.0f} s at this server's pace" if call.expected_read_s >= 5 else ""
        return f"reading the prompt ({call.prompt_tokens:,} tokens{pace}){retry}"
    return f"writing · {call.written:,} token{'' if call.written == 1 else 's'}{retry}"


class LiveProgress:
    """A spinner line on a terminal; plain lines at changes and as a heartbeat otherwise (pipes, TERM=dumb).

    `clock` and `autorefresh` are seams for tests: with `autorefresh=False` nothing runs in the background and
    `tick()` does what the refresh thread does.
    """

    def __init__(
        self,
        console: Console,
        ledger: Any = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        heartbeat_s: float = HEARTBEAT_S,
        refresh_s: float = REFRESH_S,
        autorefresh: bool = True,
    ) -> None:
        self.console = console
        self.ledger = ledger
        self.clock = clock
        self.heartbeat_s = heartbeat_s
        self.refresh_s = refresh_s
        self.autorefresh = autorefresh
        self.live = console.is_terminal and not console.is_dumb_terminal
        """A redrawn spinner line; a dumb terminal (TERM=dumb) cannot redraw, so it gets plain lines."""
        self.started = clock()
        self.role = ""
        self.message = ""
        self._status: Status | None = None
        self._lock = threading.RLock()
        self._printed_at = self.started
        self._was_stalled = False
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def refreshing(self) -> bool:
        """Whether the refresh thread runs (from the first event until `stop()`)."""
        return self._ticker is not None and self._ticker.is_alive()

    def _tokens(self) -> int:
        if self.ledger is None:
            return 0
        return int(self.ledger.total().total_tokens)

    def _live_call(self) -> LiveCall | None:
        live_call = getattr(self.ledger, "live_call", None)
        found = live_call() if callable(live_call) else None
        return found if isinstance(found, LiveCall) else None

    def _doing(self, now: float) -> tuple[str, bool]:
        """The step and the call under way, and whether the server looks stalled."""
        call = self._live_call()
        if call is None:
            return self.message, False
        return f"{self.message} · {describe_call(call, now)}", call.stalled(now)

    def __call__(self, role: str, message: str) -> None:
        with self._lock:
            changed = role != self.role
            self.role, self.message = role, message
            now = self.clock()
            if self.live:
                self._draw(now)
                if changed:
                    self.console.print(f"[dim]{time.strftime('%H:%M:%S')}[/] → {escape(role)}")
            elif changed:
                self._print_plain(now, message)
            if self.autorefresh and self._ticker is None:
                self._start_ticker()

    def tick(self) -> None:
        """Redraw the line (terminal), or print what a log reader should know by now (plain output)."""
        with self._lock:
            if not self.role:
                return
            now = self.clock()
            if self.live:
                self._draw(now)
                return
            doing, stalled = self._doing(now)
            stall_news = stalled != self._was_stalled and self._live_call() is not None
            if stall_news or now - self._printed_at >= self.heartbeat_s:
                self._print_plain(now, doing)
            self._was_stalled = stalled

    def _draw(self, now: float) -> None:
        """`role · step · the call under way · elapsed`; the job's token total while no call is under way."""
        doing, stalled = self._doing(now)
        colour = "yellow" if stalled else "default"
        total = "" if self._live_call() is not None else f" · {self._tokens():,} tokens"
        line = f"[bold]{escape(self.role)}[/] · [{colour}]{escape(doing)}[/]{total} · {now - self.started:0.0f}s"
        if self._status is None:
            self._status = self.console.status(line)
            self._status.start()
        else:
            self._status.update(line)

    def _print_plain(self, now: float, text: str) -> None:
        self.console.print(f"[{now - self.started:6.1f}s] {self.role}: {text}", markup=False, highlight=False)
        self._printed_at = now
        self._was_stalled = self._doing(now)[1]

    def _start_ticker(self) -> None:
        self._stopping = threading.Event()
        self._ticker = threading.Thread(target=self._tick_until_stopped, name="live-progress", daemon=True)
        self._ticker.start()

    def _tick_until_stopped(self) -> None:
        stopping = self._stopping
        while not stopping.wait(self.refresh_s):
            self.tick()

    def stop(self) -> None:
        """Stop the line and its thread (at a gate, at the end); the next event starts them again."""
        self._stopping.set()
        ticker, self._ticker = self._ticker, None
        if ticker is not None and ticker is not threading.current_thread():
            ticker.join()
        with self._lock:
            if self._status is not None:
                self._status.stop()
                self._status = None
