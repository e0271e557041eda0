"""SQLite files that several processes open at once: WAL mode, set up without racing each other."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def connect_wal(path: Path, *, timeout: float, autocommit: bool = False, setup: str = "") -> sqlite3.Connection:
    """Connect in WAL mode and run the `setup` script, waiting while another process does the same: SQLite answers
    "database is locked" at once, without its busy timeout, to a journal-mode change it cannot make yet."""
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        db = sqlite3.connect(
            str(path), timeout=timeout, isolation_level=None if autocommit else "DEFERRED", check_same_thread=False
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(setup)
            return db
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
