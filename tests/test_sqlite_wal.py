"""SQLite files several processes open at once: one opening while another sets the file up waits, not fails."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from memory.experience import open_store
from swe_team.checkpoints import open_checkpointer
from tests.experience_fixtures import lesson, settings_for

SETTING_UP = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("CREATE TABLE IF NOT EXISTS set_up_by_the_other(done INTEGER)")
print("holding", flush=True)
time.sleep(1.0)
db.execute("COMMIT")
"""


@pytest.fixture
def another_process_setting_up(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str]]:
    """A process in the middle of creating `request.param` under tmp_path, for about a second."""
    other = subprocess.Popen(
        [sys.executable, "-c", SETTING_UP, str(tmp_path / request.param)], stdout=subprocess.PIPE, text=True
    )
    assert other.stdout is not None and other.stdout.readline() == "holding\n"
    yield other
    assert other.wait(timeout=30) == 0


@pytest.mark.parametrize("another_process_setting_up", ["experience.sqlite"], indirect=True)
def test_the_experience_store_waits_for_another_process_setting_it_up(
    tmp_path: Path, another_process_setting_up: subprocess.Popen[str]
) -> None:
    store = open_store(settings_for(tmp_path, "sqlite"))
    kept = lesson("github.com/acme/shop", "checkout total rounds down")
    store.add(kept)
    assert [h.id for h in store.search("checkout total", repo="github.com/acme/shop")] == [kept.id]
    store.close()


@pytest.mark.parametrize("another_process_setting_up", ["checkpoints.sqlite"], indirect=True)
def test_the_checkpointer_waits_for_another_process_setting_it_up(
    tmp_path: Path, another_process_setting_up: subprocess.Popen[str]
) -> None:
    with open_checkpointer(settings_for(tmp_path, "sqlite")) as saver:
        saver.setup()
        assert saver.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert list(saver.list(None)) == []
