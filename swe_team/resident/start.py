"""Starting the resident server in the background after a `locate` this process ran itself, and finding the one
that runs."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from swe_team.resident import graphs
from swe_team.resident.address import can_serve, lock_path, log_path


def start_server(repo: Path, idle_seconds: float) -> bool:
    """Starts this installation's server, loading `repo`'s graph at once, unless one runs already, this process is
    one's child, the platform cannot, or `idle_seconds` is 0. True when it started one."""
    if idle_seconds <= 0 or graphs.in_server() or not can_serve():
        return False
    try:
        with open(lock_path(), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        log = open(log_path(), "ab")  # noqa: SIM115 (the server's from now on)
    except OSError:  # BlockingIOError: a server holds the lock
        return False
    with log:
        subprocess.Popen(
            [sys.executable, "-m", "swe_team.resident.server", "--idle", str(idle_seconds), "--warm", str(repo)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            cwd=os.path.dirname(log_path()),  # not the repository: its own `core` or `tools` would shadow ours
        )
    return True


def ready_server_pid() -> int | None:
    """The pid of this installation's server once it is ready (its graphs loaded); None while none runs or it is
    still starting."""
    try:
        with open(lock_path(), "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                written = lock.read().strip()
                return int(written) if written.isdigit() else None
    except OSError:
        return None
    return None
