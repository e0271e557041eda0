"""Job records in Redis, so every machine of a fleet sees the same jobs; writes can be fenced by a lease."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from core.errors import JobError
from core.jobs import Job
from swe_team.fleet.keys import FleetKeys, keys_for, redis_client

if TYPE_CHECKING:
    from core.settings import Settings
    from swe_team.fleet.lease import JobLease

FENCED_PUT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""


class RedisJobRecords:
    """One JSON value per job under `<namespace>:job:<id>` and an index scored by creation time."""

    def __init__(self, client: Any, keys: FleetKeys, lease: JobLease | None = None) -> None:
        self.client = client
        self.keys = keys
        self.lease = lease
        """When set, a write succeeds only while this lease is held: a worker that lost its job cannot
        overwrite what the job's new worker writes."""

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisJobRecords:
        return cls(redis_client(settings), keys_for(settings))

    def fenced(self, lease: JobLease) -> RedisJobRecords:
        return RedisJobRecords(self.client, self.keys, lease)

    def put(self, job: Job) -> None:
        payload = json.dumps(asdict(job))
        if self.lease is None or self.lease.job_id != job.id:
            pipe = self.client.pipeline()
            pipe.set(self.keys.job(job.id), payload)
            pipe.zadd(self.keys.jobs, {job.id: job.created_at})
            pipe.execute()
            return
        written = self.client.eval(
            FENCED_PUT, 3, self.keys.lease(job.id), self.keys.job(job.id), self.keys.jobs,
            self.lease.value, payload, job.created_at, job.id,
        )
        if not written:
            from swe_team.fleet.lease import LeaseLost

            raise LeaseLost(job.id)

    def get(self, job_id: str) -> Job | None:
        raw = self.client.get(self.keys.job(job_id))
        if raw is None:
            matches = [jid for jid in self.client.zrange(self.keys.jobs, 0, -1) if jid.startswith(job_id)]
            if len(matches) > 1:
                raise JobError(f"job {job_id!r}: several jobs match", hint="give more of the id")
            if not matches:
                return None
            raw = self.client.get(self.keys.job(matches[0]))
            if raw is None:
                return None
        return Job(**json.loads(raw))

    def all(self) -> list[Job]:
        ids = self.client.zrange(self.keys.jobs, 0, -1)
        if not ids:
            return []
        return [Job(**json.loads(raw)) for raw in self.client.mget([self.keys.job(i) for i in ids]) if raw]
