"""Sharing parsed records between machines through Redis, keyed by repository id and tree SHA.

Each published tree is one compressed value; the repository's `latest` key names the tree published last, so a
machine on a newer commit can start from it. Values expire `ttl_s` after they were last published or loaded.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import SweTeamError
from memory.codegraph.cache import CACHE_FORMAT
from memory.codegraph.graph import CodeGraph
from memory.codegraph.records import FileRecord

KEY_PREFIX = "swe-team:codegraph"
DEFAULT_TTL_S = 7 * 24 * 3600
MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
"""Compressed size above which a graph is not published (3,300 Python files take about 15 MB)."""

Records = dict[str, tuple[str, FileRecord]]
"""Repository-relative path → (git blob SHA, parsed record)."""


class GraphTooLarge(SweTeamError):
    """A graph above `MAX_PAYLOAD_BYTES`: it stays on the machine that built it."""


@dataclass
class Payload:
    languages: list[str]
    records: Records


def graph_key(repo_id: str, tree_sha: str) -> str:
    return f"{KEY_PREFIX}:{CACHE_FORMAT}:{repo_id}:{tree_sha}"


def latest_key(repo_id: str) -> str:
    return f"{KEY_PREFIX}:{CACHE_FORMAT}:{repo_id}:latest"


def is_published(client: Any, repo_id: str, tree_sha: str) -> bool:
    return bool(client.exists(graph_key(repo_id, tree_sha)))


def publish_records(
    client: Any,
    repo_id: str,
    tree_sha: str,
    languages: Iterable[str],
    records: Records,
    ttl_s: int = DEFAULT_TTL_S,
    replace: bool = True,
) -> int:
    """Store the records (never machine-local paths) and make this tree the repository's latest.

    Returns the compressed size stored, 0 when `replace` is off and the tree was published already."""
    payload = {
        "languages": list(languages),
        "files": {path: [sha, record.to_dict()] for path, (sha, record) in records.items()},
    }
    blob = zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6)
    key = graph_key(repo_id, tree_sha)
    if len(blob) > MAX_PAYLOAD_BYTES:
        raise GraphTooLarge(
            f"the code graph of {len(records)} files takes {len(blob) >> 20} MB compressed, "
            f"more than the {MAX_PAYLOAD_BYTES >> 20} MB shared through Redis"
        )
    stored = client.set(key, blob, ex=ttl_s, nx=not replace)
    client.set(latest_key(repo_id), tree_sha, ex=ttl_s)
    return len(blob) if stored else 0


def publish(graph: CodeGraph, client: Any, repo_id: str, tree_sha: str = "", ttl_s: int = DEFAULT_TTL_S) -> str:
    """Store the whole graph's records under `tree_sha` (default: the graph's content key); returns the key."""
    tree = tree_sha or graph.tree_sha
    publish_records(client, repo_id, tree, graph.languages, graph.records(), ttl_s)
    return graph_key(repo_id, tree)


def load_records(client: Any, repo_id: str, tree_sha: str, ttl_s: int = DEFAULT_TTL_S) -> Payload | None:
    """What was published for this tree (whose lifetime starts again), or None."""
    key = graph_key(repo_id, tree_sha)
    blob = client.get(key)
    if blob is None:
        return None
    client.expire(key, ttl_s)
    try:
        payload = json.loads(zlib.decompress(blob))
        records = {path: (sha, FileRecord.from_dict(record)) for path, (sha, record) in payload["files"].items()}
        return Payload(list(payload["languages"]), records)
    except (zlib.error, ValueError, KeyError, TypeError) as exc:
        raise SweTeamError(
            f"the code graph stored under {key} is unreadable: {exc}",
            hint="delete the key and publish the graph again",
        ) from exc


def latest_tree(client: Any, repo_id: str) -> str | None:
    """The tree published last for this repository, while its lifetime lasts."""
    value = client.get(latest_key(repo_id))
    return value.decode() if isinstance(value, bytes) else value


def load(client: Any, repo_id: str, tree_sha: str, root: str | Path) -> CodeGraph | None:
    """The published graph for (repo_id, tree_sha) attached to a local checkout at `root`, or None."""
    payload = load_records(client, repo_id, tree_sha)
    if payload is None:
        return None
    return CodeGraph.from_records(root, payload.languages, payload.records)
