"""`[fleet]`: the Celery workers on a Redis broker that run jobs from a queue."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class FleetSettings(BaseModel):
    """Celery workers on a Redis broker (`swe-team submit`, `swe-team worker`); the same values on every machine."""

    enabled: bool = False
    """Mirror job records in Redis so `jobs`, `show` and `cancel` see fleet jobs from any machine."""
    broker_url: SecretStr = SecretStr("")
    """Celery broker; empty means `redis_url`."""
    namespace: str = "swe-team"
    """Prefix of every fleet key in Redis (and of the broker's keys): fleets sharing one Redis need different ones."""
    default_queue: str = "swe-team"
    """Queue `submit` uses and `worker` consumes when none is named."""
    lease_seconds: float = 15.0
    """A job's lease lives this long without renewal; a killed worker's job is resumed elsewhere after about this."""
    visibility_timeout_s: float = 60.0
    """Seconds before the broker hands an unacknowledged message (a worker died before taking the lease) to another
    worker."""
    worker_heartbeat_s: float = 5.0
    """How often a worker renews its leases, reports itself, and looks for jobs whose worker died."""
