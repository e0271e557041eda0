"""The state one worker process shares between its pool threads: identity, Redis, leases, running jobs."""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import SweTeamError
from swe_team.fleet.board import FleetBoard
from swe_team.fleet.keys import FleetKeys, keys_for, redis_client
from swe_team.fleet.lease import LeaseKeeper

if TYPE_CHECKING:
    from core.settings import Settings


@dataclass
class WorkerRuntime:
    settings: Settings
    worker_id: str
    queues: list[str]
    concurrency: int
    client: Any
    keys: FleetKeys
    board: FleetBoard
    keeper: LeaseKeeper
    started_at: float = field(default_factory=time.time)
    running: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, worker_id: str, queues: list[str], concurrency: int) -> WorkerRuntime:
        client = redis_client(settings)
        keys = keys_for(settings)
        keeper = LeaseKeeper(settings.fleet.worker_heartbeat_s)
        return cls(settings, worker_id, queues, concurrency, client, keys, FleetBoard(client, keys), keeper)

    def job_started(self, job_id: str) -> None:
        with self._lock:
            self.running.add(job_id)
        self.report()

    def job_ended(self, job_id: str) -> None:
        with self._lock:
            self.running.discard(job_id)
        self.report()

    def report(self) -> None:
        with self._lock:
            running = sorted(self.running)
        info = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "queues": self.queues,
            "concurrency": self.concurrency,
            "started_at": self.started_at,
        }
        self.board.report_worker(self.worker_id, info, running, ttl_s=3 * self.settings.fleet.worker_heartbeat_s)


_current: WorkerRuntime | None = None


def install(runtime: WorkerRuntime) -> None:
    global _current
    _current = runtime


def current() -> WorkerRuntime:
    if _current is None:
        raise SweTeamError("fleet jobs run inside `swe-team worker`", hint="start a worker with `swe-team worker`")
    return _current
