"""`swe-team` on a real pseudo-terminal, keeping what the screen showed for the message of a failed expectation."""

from __future__ import annotations

import sys

import pexpect


class ScreenLog:
    """Everything the terminal showed (pexpect's `logfile_read`)."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, data: str) -> None:
        self.text += data

    def flush(self) -> None:
        return None


def spawn(args: list[str], env: dict[str, str], timeout: float = 180) -> pexpect.spawn:
    """`swe-team ARGS` on a pseudo-terminal; plain output (no colours) so expectations match text."""
    terminal_env = {**env, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "160", "LINES": "50"}
    child = pexpect.spawn(
        sys.executable, ["-m", "swe_team", *args], env=terminal_env, encoding="utf-8", timeout=timeout,
        dimensions=(50, 160),
    )
    child.logfile_read = ScreenLog()
    return child


def screen_text(child: pexpect.spawn) -> str:
    log = child.logfile_read
    return log.text if isinstance(log, ScreenLog) else ""
