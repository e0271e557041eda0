"""Job leases on a real Redis: one holder at a time, renewal, expiry, fencing of a worker that lost its job."""

from __future__ import annotations

import secrets
import time

import pytest
import redis

from core.jobs import Job
from swe_team.fleet.board import FleetBoard
from swe_team.fleet.keys import FleetKeys
from swe_team.fleet.lease import JobLease, LeaseLost
from swe_team.fleet.records import RedisJobRecords


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=True)


@pytest.fixture
def keys() -> FleetKeys:
    return FleetKeys(f"test-{secrets.token_hex(4)}")


def test_only_one_worker_holds_a_job_and_the_next_gets_a_higher_fence(client: redis.Redis, keys: FleetKeys) -> None:
    first = JobLease(client, keys, "job-1", "worker-a", ttl_s=5)
    second = JobLease(client, keys, "job-1", "worker-b", ttl_s=5)
    assert first.acquire()
    assert not second.acquire()
    assert first.holder() == f"worker-a#{first.fence}"
    first.release()
    assert second.acquire()
    assert second.fence > first.fence
    assert not first.renew(), "a released lease cannot be renewed back"


def test_an_unrenewed_lease_expires_and_its_old_holder_is_fenced_off(client: redis.Redis, keys: FleetKeys) -> None:
    records = RedisJobRecords(client, keys)
    job = Job(id="job-2", repo="/repo", task="fix it")
    stale = JobLease(client, keys, job.id, "worker-a", ttl_s=0.3)
    assert stale.acquire()
    records.fenced(stale).put(job)
    time.sleep(0.5)
    fresh = JobLease(client, keys, job.id, "worker-b", ttl_s=5)
    assert fresh.acquire(), "the dead holder's lease expired"
    job.status = "running"
    records.fenced(fresh).put(job)

    assert not stale.renew() and stale.lost
    with pytest.raises(LeaseLost):
        stale.check()
    overwritten = Job(id=job.id, repo="/repo", task="fix it", status="interrupted")
    with pytest.raises(LeaseLost):
        records.fenced(stale).put(overwritten)
    stale.release()
    assert fresh.holder() == fresh.value, "the old holder's release does not free the new holder's lease"
    loaded = records.get(job.id)
    assert loaded is not None and loaded.status == "running"


def test_renewal_keeps_a_lease_past_its_time(client: redis.Redis, keys: FleetKeys) -> None:
    lease = JobLease(client, keys, "job-3", "worker-a", ttl_s=0.4)
    assert lease.acquire()
    for _ in range(4):
        time.sleep(0.2)
        assert lease.renew()
    assert not JobLease(client, keys, "job-3", "worker-b", ttl_s=1).acquire()


def test_a_dead_workers_job_is_requeued_once_however_many_workers_sweep(client: redis.Redis, keys: FleetKeys) -> None:
    dead = JobLease(client, keys, "job-4", "worker-a", ttl_s=0.2)
    alive = JobLease(client, keys, "job-5", "worker-b", ttl_s=5)
    assert dead.acquire() and alive.acquire()
    time.sleep(0.3)
    requeued: list[str] = []
    boards = [FleetBoard(client, keys) for _ in range(3)]
    for board in boards:
        board.sweep(requeued.append)
    assert requeued == ["job-4"]
    assert [e["event"] for e in boards[0].events("job-4")] == ["orphaned"]


def test_queue_positions_follow_priority_then_submission_order(client: redis.Redis, keys: FleetKeys) -> None:
    board = FleetBoard(client, keys)
    board.mark_queued("low", "q", priority=1)
    board.mark_queued("normal-1", "q", priority=5)
    board.mark_queued("urgent", "q", priority=9)
    board.mark_queued("normal-2", "q", priority=5)
    assert [board.position(j, "q") for j in ("urgent", "normal-1", "normal-2", "low")] == [1, 2, 3, 4]
    board.unqueue("urgent", "q")
    assert board.position("normal-1", "q") == 1 and board.position("urgent", "q") is None
