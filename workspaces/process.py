"""Running a command in its own process group with a timeout that kills the whole group, capturing each
stream with bounded memory (head and tail kept, the middle cut with a note).

A command's processes carry a mark in their environment, so that those it started in a session of their own
(`setsid`, daemons), which leave its process group, are found in /proc and killed when it returns too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from typing import IO

from workspaces.base import ExecResult

COMMAND_MARK = "SWE_TEAM_COMMAND"
"""Environment variable every process of one command inherits, with a value of its own per command."""
KILL_GRACE_S = 2.0
"""Seconds between SIGTERM and SIGKILL to the process group of a command that timed out."""
TIMEOUT_EXIT_CODE = 124
"""Exit code reported for a command that timed out (as coreutils `timeout` does)."""

PASSED_ENVIRONMENT = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "USER",
    "LOGNAME",
    "SHELL",
    "TMPDIR",
    "TZ",
    "TERM",
)


def base_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The host variables a command needs (PATH, HOME, locale, …) plus `extra`; nothing else leaks in."""
    env = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.update(extra or {})
    return env


class BoundedCapture:
    """Reads one pipe to its end keeping at most `limit` bytes: the first half and the last half."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_size = 0
        self.total = 0

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.limit is None:
            self.head += chunk
            return
        room = self.limit // 2 - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail.append(chunk)
            self.tail_size += len(chunk)
            while self.tail and self.tail_size - len(self.tail[0]) >= self.limit // 2:
                self.tail_size -= len(self.tail.popleft())

    @property
    def truncated(self) -> bool:
        return self.limit is not None and self.total > self.limit

    def text(self) -> str:
        tail = b"".join(self.tail)
        if not self.truncated:
            return (bytes(self.head) + tail).decode("utf-8", errors="replace")
        assert self.limit is not None
        kept_tail = tail[-(self.limit // 2) :] if self.limit // 2 else b""
        cut = self.total - len(self.head) - len(kept_tail)
        note = f"\n[… {cut:,} bytes of output cut; {self.total:,} bytes in all …]\n"
        return (
            bytes(self.head).decode("utf-8", errors="replace")
            + note
            + kept_tail.decode("utf-8", errors="replace")
        )

    def drain(self, stream: IO[bytes]) -> None:
        fd = stream.fileno()
        while chunk := os.read(fd, 65536):
            self.feed(chunk)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _marked_processes(mark: bytes) -> list[int]:
    found = []
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if entry.name.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry.name}/environ", "rb") as handle:
                if mark in handle.read().split(b"\0"):
                    found.append(int(entry.name))
    return found


def kill_marked(mark: str) -> None:
    """SIGKILL every process whose environment carries this command's mark, until none is left (they may fork
    meanwhile); a process that cleared its environment is not found."""
    wanted = f"{COMMAND_MARK}={mark}".encode()
    for _ in range(50):
        alive = [pid for pid in _marked_processes(wanted) if pid != os.getpid()]
        if not alive:
            return
        for pid in alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def run_in_group(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    timeout: float,
    output_limit: int | None,
    display: str,
) -> ExecResult:
    """Run `argv` as the leader of a new session; at `timeout` TERM then KILL the group. Leftover background
    processes of a command that finished are killed too, those in sessions of their own included, so nothing
    outlives its command."""
    started = time.monotonic()
    mark = uuid.uuid4().hex
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**env, COMMAND_MARK: mark},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    captures = (BoundedCapture(output_limit), BoundedCapture(output_limit))
    readers = [
        threading.Thread(target=capture.drain, args=(stream,), daemon=True)
        for capture, stream in zip(captures, (process.stdout, process.stderr), strict=True)
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        process.wait(timeout=max(timeout, 0.001))
    except subprocess.TimeoutExpired:
        timed_out = True
        _signal_group(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=KILL_GRACE_S)
    _signal_group(process.pid, signal.SIGKILL)
    kill_marked(mark)
    process.wait()
    for reader in readers:
        reader.join(timeout=5.0)
    for stream in (process.stdout, process.stderr):
        if stream is not None and not any(reader.is_alive() for reader in readers):
            stream.close()
    stdout, stderr = captures
    return ExecResult(
        command=display,
        exit_code=TIMEOUT_EXIT_CODE if timed_out else process.returncode,
        stdout=stdout.text(),
        stderr=stderr.text(),
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
        truncated=stdout.truncated or stderr.truncated,
    )
