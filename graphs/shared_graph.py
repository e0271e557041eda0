"""The job's code graph shared between machines through Redis (the `codegraph_share` setting).

A job publishes the records of its base commit's files under the repository's identity (the origin remote, else
its path) and the git tree of that commit. A job elsewhere loads the records of its own tree, else of the tree the
repository published last, and parses only the files whose blob SHA is not among them. Redis being away costs a
note, never the job: its graph is then built here as it would be without sharing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from core.errors import SweTeamError
from core.git import git_output
from core.settings import Settings
from memory.codegraph import CodeGraph
from memory.codegraph.records import FileRecord
from memory.codegraph.redis_store import graph_key, is_published, latest_tree, load_records, publish_records
from memory.experience.record import repo_identity
from workspaces.base import WorkspaceInfo

CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 30.0
T = TypeVar("T")


def sharing_on(settings: Settings) -> bool:
    if settings.codegraph_share == "auto":
        return settings.memory == "redis" or settings.fleet.enabled
    return settings.codegraph_share == "on"


def base_blobs(info: WorkspaceInfo) -> dict[str, str]:
    """Path → blob SHA of every file in the job's base commit."""
    blobs = {}
    for entry in git_output(info.repo_path, "ls-tree", "-r", "-z", "--full-tree", info.base_commit).split("\0"):
        meta, _, path = entry.partition("\t")
        if path and meta.split(" ")[1] == "blob":
            blobs[path] = meta.split(" ")[2]
    return blobs


class GraphShare:
    """One job's use of the shared graphs: its key, where its records came from, what it published, what failed."""

    def __init__(self, info: WorkspaceInfo) -> None:
        self.info = info
        self.client: Any = None
        self.repo_id = ""
        self.tree_sha = ""
        self.loaded_tree = ""
        self.exact_hit: bool | None = None
        """None until asked: a graph resumed from this machine's snapshot needs nothing from Redis."""
        self.published_bytes = 0
        self.notes: list[str] = []
        self.down = False

    def connect(self, url: str) -> None:
        from redis import Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        def open_client() -> None:
            self.repo_id = repo_identity(self.info.repo_path)
            self.tree_sha = git_output(self.info.repo_path, "rev-parse", f"{self.info.base_commit}^{{tree}}").strip()
            try:
                self.client = Redis.from_url(
                    url,
                    socket_connect_timeout=CONNECT_TIMEOUT_S,
                    socket_timeout=READ_TIMEOUT_S,
                    retry=Retry(NoBackoff(), 0),
                )
            except ValueError as exc:
                raise SweTeamError(f"redis_url is not a Redis URL ({exc})") from exc

        self._attempt(open_client)
        self.down = self.client is None

    def fetch(self) -> dict[str, FileRecord]:
        """Published records by blob SHA: this tree's, else the repository's latest; empty when there are none."""
        payload = self._attempt(lambda: load_records(self.client, self.repo_id, self.tree_sha))
        self.exact_hit = payload is not None
        if payload is not None:
            self.loaded_tree = self.tree_sha
        elif (latest := self._attempt(lambda: latest_tree(self.client, self.repo_id))) not in (None, self.tree_sha):
            payload = self._attempt(lambda: load_records(self.client, self.repo_id, str(latest)))
            self.loaded_tree = str(latest) if payload is not None else ""
        return {sha: record for sha, record in payload.records.values()} if payload is not None else {}

    def publish(self, graph: CodeGraph) -> None:
        """Publish the graph's base-commit files unless this tree is published already (or Redis is away)."""
        if self.down or self.exact_hit:
            return
        if self.exact_hit is None and self._attempt(lambda: is_published(self.client, self.repo_id, self.tree_sha)):
            return

        def store() -> int:
            base = base_blobs(self.info)
            records = {path: entry for path, entry in graph.records().items() if base.get(path) == entry[0]}
            return publish_records(self.client, self.repo_id, self.tree_sha, graph.languages, records)

        self.published_bytes = self._attempt(store) or 0

    def summary(self) -> dict[str, Any]:
        return {
            "key": graph_key(self.repo_id, self.tree_sha) if self.tree_sha else "",
            "loaded_tree": self.loaded_tree,
            "published_bytes": self.published_bytes,
        }

    def _attempt(self, action: Callable[[], T]) -> T | None:
        """The action's result; None (and a note) when it failed. After a connection failure nothing is tried."""
        import redis

        if self.down:
            return None
        try:
            return action()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            self.down = True
            self.notes.append(f"shared code graph: Redis is unreachable ({exc}); the graph is built here only")
        except (redis.RedisError, SweTeamError, OSError) as exc:
            self.notes.append(f"shared code graph: {exc}")
        return None


def open_share(settings: Settings, info: WorkspaceInfo) -> GraphShare | None:
    """The job's share of the graphs on `redis_url`; None when sharing is off. Nothing here raises."""
    if not sharing_on(settings):
        return None
    share = GraphShare(info)
    share.connect(settings.redis_url.get_secret_value())
    return share
