"""Sharing a built graph between machines through Redis, keyed by repository id and tree SHA."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

from memory.codegraph.cache import CACHE_FORMAT
from memory.codegraph.graph import CodeGraph
from memory.codegraph.records import FileRecord

KEY_PREFIX = "swe-team:codegraph"
DEFAULT_TTL_S = 7 * 24 * 3600


def graph_key(repo_id: str, tree_sha: str) -> str:
    return f"{KEY_PREFIX}:{CACHE_FORMAT}:{repo_id}:{tree_sha}"


def publish(graph: CodeGraph, client: Any, repo_id: str, tree_sha: str = "", ttl_s: int = DEFAULT_TTL_S) -> str:
    """Store the graph's parsed records (not the machine-local paths) and return the Redis key."""
    payload = {
        "languages": list(graph.languages),
        "files": {path: [sha, record.to_dict()] for path, (sha, record) in graph.records().items()},
    }
    key = graph_key(repo_id, tree_sha or graph.tree_sha)
    client.set(key, zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6), ex=ttl_s)
    return key


def load(client: Any, repo_id: str, tree_sha: str, root: str | Path) -> CodeGraph | None:
    """The published graph for (repo_id, tree_sha) attached to a local checkout at `root`, or None."""
    from core.errors import SweTeamError

    blob = client.get(graph_key(repo_id, tree_sha))
    if blob is None:
        return None
    try:
        payload = json.loads(zlib.decompress(blob))
        records = {path: (sha, FileRecord.from_dict(record)) for path, (sha, record) in payload["files"].items()}
    except (zlib.error, ValueError, KeyError, TypeError) as exc:
        raise SweTeamError(
            f"the code graph stored under {graph_key(repo_id, tree_sha)} is unreadable: {exc}",
            hint="delete the key and publish the graph again",
        ) from exc
    return CodeGraph.from_records(root, payload["languages"], records)
