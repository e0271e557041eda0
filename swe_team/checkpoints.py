"""The checkpointer every job runs with: SQLite in `$SWE_TEAM_HOME` by default, Postgres for a fleet."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.errors import JobError
from core.settings import Settings
from core.sqlite_wal import connect_wal

SETUP_LOCK_KEY = 7_245_001
"""Postgres advisory lock taken around the schema migration: workers starting together must not race."""
SETUP_WAIT_S = 300.0
_ready: set[str] = set()
_ready_lock = threading.Lock()


def _take_setup_lock(cursor: Any) -> None:
    """Poll for the lock instead of waiting in `pg_advisory_lock`: a statement waiting there is an open transaction,
    and the holder's `CREATE INDEX CONCURRENTLY` waits for every open transaction, so the two deadlock."""
    deadline = time.monotonic() + SETUP_WAIT_S
    while True:
        cursor.execute("SELECT pg_try_advisory_lock(%s) AS locked", (SETUP_LOCK_KEY,))
        row = cursor.fetchone()
        if (row["locked"] if isinstance(row, dict) else row[0]) is True:
            return
        if time.monotonic() > deadline:
            raise JobError(
                f"another process has held the checkpoint schema lock for over {SETUP_WAIT_S:.0f} s",
                hint="check the Postgres server (pg_locks) and the other workers, then run the job again",
            )
        time.sleep(0.2)


def _set_up_once(saver: Any, url: str) -> None:
    with _ready_lock:
        if url in _ready:
            return
        with saver.conn.cursor() as cursor:
            _take_setup_lock(cursor)
            try:
                saver.setup()
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
        _ready.add(url)


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[Any]:
    url = settings.checkpoint_url
    if url.startswith(("postgres://", "postgresql://")):
        from langgraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(url) as saver:
            _set_up_once(saver, url)
            yield saver
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = settings.checkpoint_db
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connect_wal(path, timeout=30)
    try:
        yield SqliteSaver(connection)
    finally:
        connection.close()
