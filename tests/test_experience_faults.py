"""Redis store faults on a real server: absent at start, lost mid-job, corrupt and foreign keys."""

from __future__ import annotations

import logging
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from memory.experience import Experience, MemoryUnavailable, open_store
from memory.experience.redis_store import RedisExperienceStore
from tests.experience_fixtures import lesson, settings_for
from tests.service_fixtures import start_redis, stop_redis

SHOP = "github.com/acme/shop"


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_redis_at_start_names_the_url_and_hides_the_password(tmp_path: Path) -> None:
    port = unused_port()
    url = f"redis://:hunter2secret@127.0.0.1:{port}/0"
    with pytest.raises(MemoryUnavailable) as caught:
        open_store(settings_for(tmp_path, "redis", url))
    message = caught.value.user_message()
    assert f"127.0.0.1:{port}" in message
    assert "hunter2secret" not in message
    assert "sqlite" in message


def test_sqlite_fallback_only_when_configured(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://127.0.0.1:{unused_port()}/0"
    with caplog.at_level(logging.WARNING, logger="swe_team.memory"):
        store = open_store(settings_for(tmp_path, "redis", url), fallback="sqlite")
    assert store.backend == "sqlite"
    assert url in caplog.text
    store.close()


def test_lessons_written_while_redis_is_down_are_queued_and_flushed_on_return(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    run_dir = tmp_path / "redis"
    url = start_redis(run_dir)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        store = open_store(settings_for(tmp_path, "redis", url), key_prefix="fault")
        before = lesson(SHOP, "timeout in the shipping rate lookup")
        store.add(before)
        stop_redis(run_dir)
        during = lesson(SHOP, "shipping rate lookup ignores express option")
        with caplog.at_level(logging.WARNING, logger="swe_team.memory"):
            assert store.add(during) == during.id
            assert store.search("shipping rate", repo=SHOP) == []
        assert "unreachable" in caplog.text
        assert isinstance(store, RedisExperienceStore) and len(store.queue) == 1
        assert start_redis(run_dir, port) == url
        assert store.flush_pending() == 1
        assert len(store.queue) == 0
        # the server came back empty (--save ''): only the queued lesson is there, and searchable
        assert [h.id for h in store.search("shipping express", repo=SHOP)] == [during.id]
        store.close()
    finally:
        stop_redis(run_dir)


def test_a_new_process_flushes_what_an_earlier_one_queued(tmp_path: Path) -> None:
    run_dir = tmp_path / "redis"
    url = start_redis(run_dir)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        first = open_store(settings_for(tmp_path, "redis", url), key_prefix="handoff")
        stop_redis(run_dir)
        queued = lesson(SHOP, "tax rounding in invoices")
        first.add(queued)
        first.close()
        start_redis(run_dir, port)
        second = open_store(settings_for(tmp_path, "redis", url), key_prefix="handoff")
        assert second.get(queued.id) == queued
        second.close()
    finally:
        stop_redis(run_dir)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[str]:
    url = start_redis(tmp_path / "redis")
    try:
        yield url
    finally:
        stop_redis(tmp_path / "redis")


def test_corrupt_and_foreign_redis_keys_are_skipped_with_a_warning(
    tmp_path: Path, private_redis: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(settings_for(tmp_path, "redis", private_redis), key_prefix="corrupt")
    good, wrong_type, bad_json, future = (lesson(SHOP, f"coupon code {w} rejected") for w in "abcd")
    for exp in (good, wrong_type, bad_json, future):
        store.add(exp)
    raw = redis.Redis.from_url(private_redis)
    raw.delete(f"corrupt:exp:{wrong_type.id}")
    raw.set(f"corrupt:exp:{wrong_type.id}", "not a hash")
    raw.hset(f"corrupt:exp:{bad_json.id}", "doc", "{garbage")
    raw.hset(f"corrupt:exp:{future.id}", "doc", future.model_copy(update={"schema_version": 99}).to_json())
    raw.set("corrupt:someone-elses-key", "x")
    with caplog.at_level(logging.WARNING, logger="swe_team.memory"):
        assert [h.id for h in store.search("coupon code rejected", repo=SHOP)] == [good.id]
        assert [e.id for e in store.recent()] == [good.id]
        assert store.stats().skipped_keys == 1
    assert f"corrupt:exp:{wrong_type.id}" in caplog.text
    assert f"corrupt:exp:{bad_json.id}" in caplog.text
    assert "schema version 99" in caplog.text
    assert "corrupt:someone-elses-key" in caplog.text
    store.close()


def test_corrupt_sqlite_rows_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(settings_for(tmp_path, "sqlite"))
    good, bad = lesson(SHOP, "refund email sent twice"), lesson(SHOP, "refund email never sent")
    store.add(good)
    store.add(bad)
    with sqlite3.connect(tmp_path / "experience.sqlite") as db:
        db.execute("UPDATE experiences SET doc = '{garbage', meta = 'nope' WHERE id = ?", (bad.id,))
    with caplog.at_level(logging.WARNING, logger="swe_team.memory"):
        assert [h.id for h in store.search("refund email sent", repo=SHOP)] == [good.id]
        assert [e.id for e in store.recent()] == [good.id]
    assert bad.id in caplog.text
    assert isinstance(Experience.model_validate_json(good.to_json()), Experience)
    store.close()
