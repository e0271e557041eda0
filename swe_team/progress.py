"""The live line a user watches during a job: role, step, tokens, elapsed time."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.status import Status


class LiveProgress:
    """A spinner line on a terminal; one plain line per role change otherwise (logs, CI)."""

    def __init__(self, console: Console, ledger: Any = None) -> None:
        self.console = console
        self.ledger = ledger
        self.started = time.monotonic()
        self.role = ""
        self._status: Status | None = None

    def _tokens(self) -> int:
        if self.ledger is None:
            return 0
        return int(self.ledger.total().total_tokens)

    def __call__(self, role: str, message: str) -> None:
        elapsed = time.monotonic() - self.started
        line = f"[bold]{role}[/] · {message} · {self._tokens():,} tokens · {elapsed:0.0f}s"
        if self.console.is_terminal:
            if self._status is None:
                self._status = self.console.status(line)
                self._status.start()
            else:
                self._status.update(line)
            if role != self.role:
                self.console.print(f"[dim]{time.strftime('%H:%M:%S')}[/] → {role}")
        elif role != self.role:
            self.console.print(f"[{elapsed:6.1f}s] {role}: {message}")
        self.role = role

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
