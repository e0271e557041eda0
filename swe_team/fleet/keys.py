"""Names of every fleet key in Redis, the Redis client, and the settings every fleet command runs with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.errors import SweTeamError

if TYPE_CHECKING:
    from core.settings import Settings


class FleetUnavailable(SweTeamError):
    """The fleet's Redis does not answer."""


@dataclass(frozen=True)
class FleetKeys:
    namespace: str

    def job(self, job_id: str) -> str:
        return f"{self.namespace}:job:{job_id}"

    @property
    def jobs(self) -> str:
        """Sorted set of every job id, scored by creation time."""
        return f"{self.namespace}:jobs"

    def lease(self, job_id: str) -> str:
        return f"{self.namespace}:lease:{job_id}"

    def fence(self, job_id: str) -> str:
        """Counter: every lease taken on a job gets the next fencing token."""
        return f"{self.namespace}:fence:{job_id}"

    def queued(self, queue: str) -> str:
        """Sorted set of the jobs waiting in `queue`, in the order the broker hands them out."""
        return f"{self.namespace}:queued:{queue}"

    @property
    def active(self) -> str:
        """Set of jobs a worker has started and not yet released."""
        return f"{self.namespace}:active"

    def cancel(self, job_id: str) -> str:
        return f"{self.namespace}:cancel:{job_id}"

    def events(self, job_id: str) -> str:
        """List of JSON fleet events of one job (queued, started, released, finished …)."""
        return f"{self.namespace}:events:{job_id}"

    def decision(self, job_id: str) -> str:
        """A gate decision recorded on one machine, handed to whichever worker continues the job."""
        return f"{self.namespace}:decision:{job_id}"

    @property
    def workers(self) -> str:
        """Sorted set of worker ids scored by their last heartbeat."""
        return f"{self.namespace}:workers"

    def worker(self, worker_id: str) -> str:
        return f"{self.namespace}:worker:{worker_id}"


def redis_client(settings: Settings) -> Any:
    """A client on `redis_url` with string replies; raises `FleetUnavailable` when Redis does not answer."""
    import redis

    url = settings.redis_url.get_secret_value()
    client = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5, socket_timeout=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise FleetUnavailable(
            f"the fleet's Redis at {_masked(url)} does not answer ({exc})",
            hint="start Redis or set SWE_TEAM_REDIS_URL to the fleet's Redis",
        ) from exc
    return client


def _masked(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        rest = "****@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


def keys_for(settings: Settings) -> FleetKeys:
    return FleetKeys(settings.fleet.namespace)


def with_fleet(settings: Settings) -> Settings:
    """These settings with fleet job records switched on (every fleet command needs them)."""
    if settings.fleet.enabled:
        return settings
    return settings.model_copy(update={"fleet": settings.fleet.model_copy(update={"enabled": True})})
