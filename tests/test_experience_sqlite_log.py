"""The SQLite store copies its write-ahead log into the database in the background, never inside an `add`."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from memory.experience.sqlite_store import CHECKPOINT_EVERY_S, SqliteExperienceStore
from tests.experience_fixtures import lesson


def _rows_in_database_file(path: Path) -> int:
    """Rows visible in the main file alone: `immutable=1` makes SQLite ignore the write-ahead log."""
    db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return int(db.execute("SELECT count(*) FROM experiences").fetchone()[0])
    except sqlite3.OperationalError:  # not even the schema has left the log yet
        return 0
    finally:
        db.close()


def test_lessons_reach_the_database_file_while_the_store_stays_open(tmp_path: Path) -> None:
    path = tmp_path / "experience.sqlite"
    store = SqliteExperienceStore(path)
    try:
        store.add_many(lesson("github.com/acme/shop", f"checkout bug number {n}") for n in range(40))
        deadline = time.monotonic() + 10 * CHECKPOINT_EVERY_S
        while _rows_in_database_file(path) < 40:
            assert time.monotonic() < deadline, "the log was never checkpointed into the database file"
            time.sleep(0.1)
    finally:
        store.close()
    assert len(SqliteExperienceStore(path).recent(limit=100)) == 40
