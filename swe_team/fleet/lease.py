"""A job's lease in Redis: one holder at a time (SET NX PX), kept alive by renewal, fenced by a counter.

Every acquisition takes the next number of the job's fence counter; the lease value is `<worker>#<fence>`.
Renewal and release only act while the value is still ours, so a worker that lost its lease (it stalled past
the lease time and another worker took the job) cannot extend, release or — through the fenced records —
overwrite anything the new holder does.
"""

from __future__ import annotations

import threading
from typing import Any

from core.errors import SweTeamError
from swe_team.fleet.keys import FleetKeys

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SREM', KEYS[2], ARGV[2])
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class LeaseLost(SweTeamError):
    """This worker no longer holds the job's lease: another worker owns the job now."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"lost the lease of job {job_id}: another worker has taken it over")
        self.job_id = job_id


class JobLease:
    def __init__(self, client: Any, keys: FleetKeys, job_id: str, worker_id: str, ttl_s: float) -> None:
        self.client = client
        self.keys = keys
        self.job_id = job_id
        self.worker_id = worker_id
        self.ttl_ms = max(1, int(ttl_s * 1000))
        self.fence = 0
        self.value = ""
        self.lost = False

    def acquire(self) -> bool:
        """Take the lease if nobody holds it; on success `fence` is this holder's token."""
        fence = int(self.client.incr(self.keys.fence(self.job_id)))
        value = f"{self.worker_id}#{fence}"
        if not self.client.set(self.keys.lease(self.job_id), value, nx=True, px=self.ttl_ms):
            return False
        self.fence, self.value, self.lost = fence, value, False
        self.client.sadd(self.keys.active, self.job_id)
        return True

    def renew(self) -> bool:
        """Extend the lease by its full time; False (and `lost`) when it is no longer ours."""
        if self.lost or not self.value:
            return False
        if not self.client.eval(RENEW, 1, self.keys.lease(self.job_id), self.value, self.ttl_ms):
            self.lost = True
        return not self.lost

    def release(self) -> None:
        """Give the lease up (and the job's place among active jobs) if it is still ours."""
        if self.value and not self.lost:
            self.client.eval(RELEASE, 2, self.keys.lease(self.job_id), self.keys.active, self.value, self.job_id)
        self.value = ""

    def holder(self) -> str:
        """The current lease value (`<worker>#<fence>`), or '' when nobody holds it."""
        return str(self.client.get(self.keys.lease(self.job_id)) or "")

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(self.job_id)


class LeaseKeeper:
    """A daemon thread renewing a set of leases every `interval_s`; a lease it cannot renew is marked lost."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._leases: dict[str, JobLease] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_tick: list[Any] = []
        """Extra callables run after each renewal round (worker heartbeat, sweep)."""

    def hold(self, lease: JobLease) -> None:
        with self._lock:
            self._leases[lease.job_id] = lease

    def drop(self, lease: JobLease) -> None:
        with self._lock:
            self._leases.pop(lease.job_id, None)

    def held(self) -> list[JobLease]:
        with self._lock:
            return list(self._leases.values())

    def renew_all(self) -> None:
        for lease in self.held():
            try:
                lease.renew()
            except Exception:  # a Redis hiccup: try again next round; the lease outlives a few misses
                continue

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="swe-team-lease-keeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.renew_all()
            for tick in list(self.on_tick):
                try:
                    tick()
                except Exception:  # the fleet's bookkeeping must never stop lease renewal
                    continue
