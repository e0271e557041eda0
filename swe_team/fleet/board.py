"""What the fleet shows: queue positions, the events of each job, live workers, cancel requests."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from swe_team.fleet.keys import FleetKeys, keys_for, redis_client

if TYPE_CHECKING:
    from core.settings import Settings

CLAIM_ORPHAN = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return -1 end
return tonumber(redis.call('GET', KEYS[3]) or '0')
"""
"""Atomically: the job has no lease and is still active → it is no longer active; returns its fence (else -1)."""

PRIORITY_SPAN = 1e11
"""Queue order score: priority bucket first (highest first), then enqueue time."""


def queue_score(priority: int, enqueued_at: float) -> float:
    return (9 - priority) * PRIORITY_SPAN + round(enqueued_at, 3)


class FleetBoard:
    def __init__(self, client: Any, keys: FleetKeys) -> None:
        self.client = client
        self.keys = keys

    def record(self, job_id: str, event: str, **fields: Any) -> None:
        entry = json.dumps({"at": round(time.time(), 3), "event": event, **fields})
        self.client.rpush(self.keys.events(job_id), entry)

    def events(self, job_id: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in self.client.lrange(self.keys.events(job_id), 0, -1)]

    def mark_queued(self, job_id: str, queue: str, priority: int) -> None:
        self.client.zadd(self.keys.queued(queue), {job_id: queue_score(priority, time.time())})

    def unqueue(self, job_id: str, queue: str) -> None:
        self.client.zrem(self.keys.queued(queue), job_id)

    def position(self, job_id: str, queue: str) -> int | None:
        """1 for the next job a worker takes from `queue`; None when the job is not waiting in it."""
        rank = self.client.zrank(self.keys.queued(queue), job_id)
        return None if rank is None else int(rank) + 1

    def request_cancel(self, job_id: str) -> None:
        self.client.set(self.keys.cancel(job_id), "1", ex=7 * 24 * 3600)

    def cancel_requested(self, job_id: str) -> bool:
        return bool(self.client.exists(self.keys.cancel(job_id)))

    def lease_holder(self, job_id: str) -> str:
        return str(self.client.get(self.keys.lease(job_id)) or "")

    def report_worker(self, worker_id: str, info: dict[str, Any], running: list[str], ttl_s: float) -> None:
        pipe = self.client.pipeline()
        pipe.zadd(self.keys.workers, {worker_id: time.time()})
        pipe.set(self.keys.worker(worker_id), json.dumps({**info, "running": running}), px=int(ttl_s * 1000))
        pipe.execute()

    def forget_worker(self, worker_id: str) -> None:
        self.client.zrem(self.keys.workers, worker_id)
        self.client.delete(self.keys.worker(worker_id))

    def live_workers(self) -> list[dict[str, Any]]:
        """Workers whose last report has not expired, each with its id, host, queues and running jobs."""
        found = []
        for worker_id in self.client.zrange(self.keys.workers, 0, -1):
            raw = self.client.get(self.keys.worker(worker_id))
            if raw is None:
                self.client.zrem(self.keys.workers, worker_id)
                continue
            found.append({"id": worker_id, **json.loads(raw)})
        return found

    def orphaned_jobs(self) -> list[str]:
        """Jobs a worker started whose lease has expired: that worker died (or stalled) mid-job."""
        active = sorted(self.client.smembers(self.keys.active))
        if not active:
            return []
        holders = self.client.mget([self.keys.lease(job_id) for job_id in active])
        return [job_id for job_id, holder in zip(active, holders, strict=True) if holder is None]

    def sweep(self, requeue: Callable[[str], None]) -> list[str]:
        """Requeue every orphaned job once per lost lease (several workers sweep; one of them wins each job)."""
        done = []
        for job_id in self.orphaned_jobs():
            keys = (self.keys.lease(job_id), self.keys.active, self.keys.fence(job_id))
            fence = int(self.client.eval(CLAIM_ORPHAN, 3, *keys, job_id))
            if fence < 0:
                continue
            self.record(job_id, "orphaned", fence=fence)
            requeue(job_id)
            done.append(job_id)
        return done


def worker_identity(name: str = "") -> str:
    return name or f"{socket.gethostname()}-{os.getpid()}"


def board_for(settings: Settings) -> FleetBoard:
    return FleetBoard(redis_client(settings), keys_for(settings))
