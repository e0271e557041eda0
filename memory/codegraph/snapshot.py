"""A saved whole-graph snapshot per repository, so a re-index only re-parses and re-links the files that changed.

The snapshot lives next to the record cache (`<cache>/<format>/snapshots/<key>.pickle`), keyed by the cache format,
the repository's absolute path and the indexed languages. It holds the linked networkx graph, the resolver tables
and each file's blob SHA; loading it and hashing the files is much cheaper than rebuilding the graph from records.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memory.codegraph.cache import CACHE_FORMAT

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

SNAPSHOT_FORMAT = 1
"""Bumped whenever the graph's in-memory layout changes."""
REFRESH_AFTER = 8
"""Files changed since the snapshot before it is rewritten; fewer are re-applied from the record cache each time."""
REBUILD_SHARE = 0.25
"""When more than this share of files changed, rebuilding from records is cheaper than patching the snapshot."""


@dataclass
class Snapshot:
    graph: Any
    resolver: Any
    blob_shas: dict[str, str]
    syntax_errors: dict[str, list[int]]


def snapshot_path(cache_dir: Path, root: Path, languages: tuple[str, ...]) -> Path:
    key = hashlib.sha1(f"{SNAPSHOT_FORMAT}\0{root}\0{','.join(languages)}".encode()).hexdigest()
    return cache_dir / CACHE_FORMAT / "snapshots" / f"{key}.pickle"


def load_snapshot(cache_dir: Path, root: Path, languages: tuple[str, ...]) -> Snapshot | None:
    """The saved snapshot of this repository, or None when there is none or it cannot be read."""
    collecting = gc.isenabled()
    gc.disable()  # unpickling allocates many small objects; collections midway only cost time
    try:
        data = pickle.loads(snapshot_path(cache_dir, root, languages).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT or data.get("root") != str(root):
        return None
    return Snapshot(data["graph"], data["resolver"], data["blob_shas"], data["syntax_errors"])


def save_snapshot(cache_dir: Path, graph: CodeGraph) -> None:
    """Write the graph's snapshot atomically; a cache that cannot be written is skipped, never an error."""
    path = snapshot_path(cache_dir, graph.root, graph.languages)
    payload = {
        "format": SNAPSHOT_FORMAT,
        "root": str(graph.root),
        "graph": graph.graph,
        "resolver": graph.resolver,
        "blob_shas": graph.blob_shas,
        "syntax_errors": graph.stats.syntax_errors,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(path)
    except OSError:
        pass
