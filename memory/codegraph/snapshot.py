"""A saved whole-graph snapshot per repository, so a re-index only re-parses and re-links the files that changed.

Two files next to the record cache (`<cache>/<format>/snapshots/<key>.*`), keyed by the repository's absolute path
and the indexed languages: `.pickle` holds each file's record without its calls, blob SHA and stat signature, the
nodes, the resolved edges as numpy columns and the base classes; `.calls.pickle` holds the calls, which only
re-linking after an edit needs, so a query loads them never and an edit once. A file whose size, mtime and inode
match its signature keeps its blob SHA without being read, unless it changed within `RACY_NS` of the snapshot (as
git does).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from memory.codegraph.cache import CACHE_FORMAT
from memory.codegraph.collection import collection_paused
from memory.codegraph.edge_columns import EdgeColumns
from memory.codegraph.records import CallRecord, FileRecord

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

SNAPSHOT_FORMAT = 3
"""Bumped whenever the snapshot's layout or the linking of its edges changes."""
REFRESH_AFTER = 8
"""Files changed since the snapshot before it is rewritten; fewer are re-applied from the record cache each time."""
REBUILD_SHARE = 0.25
"""When more than this share of files changed, rebuilding from records is cheaper than patching the snapshot."""
RACY_NS = 2_000_000_000
"""A file modified this close to the snapshot's writing may have changed again unseen: it is hashed."""
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, KeyError)
FileSignature = tuple[int, int, int]
"""(size, mtime in ns, inode) of a file when its blob SHA was taken."""
T = TypeVar("T")


def signature_of(stat: os.stat_result) -> FileSignature:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


@dataclass
class Snapshot:
    records: dict[str, tuple[str, FileRecord]]
    """Path → (blob SHA, record without calls)."""
    nodes: dict[str, dict[str, Any]]
    """Node id → its attributes."""
    edges: EdgeColumns
    bases: dict[str, list[str]]
    signatures: dict[str, FileSignature]
    written_ns: int
    calls_path: Path

    def known_sha(self, path: str, signature: FileSignature) -> str | None:
        """The recorded blob SHA when the file provably did not change since it was hashed."""
        if self.signatures.get(path) != signature or signature[1] >= self.written_ns - RACY_NS:
            return None
        entry = self.records.get(path)
        return entry[0] if entry is not None else None


def snapshot_path(cache_dir: Path, root: Path, languages: tuple[str, ...]) -> Path:
    key = hashlib.sha1(f"{SNAPSHOT_FORMAT}\0{root}\0{','.join(languages)}".encode()).hexdigest()
    return cache_dir / CACHE_FORMAT / "snapshots" / f"{key}.pickle"


def _calls_path(path: Path) -> Path:
    return path.with_suffix(".calls.pickle")


def _unpickle(path: Path, check: Callable[[Any], T | None]) -> T | None:
    with collection_paused():
        try:
            return check(pickle.loads(path.read_bytes()))
        except UNREADABLE:
            return None


def load_snapshot(cache_dir: Path, root: Path, languages: tuple[str, ...]) -> Snapshot | None:
    """The saved snapshot of this repository, or None when there is none or it cannot be read."""
    path = snapshot_path(cache_dir, root, languages)

    def check(data: Any) -> Snapshot | None:
        if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT or data.get("root") != str(root):
            return None
        return Snapshot(
            data["records"],
            data["nodes"],
            data["edges"],
            data["bases"],
            data["signatures"],
            data["written_ns"],
            _calls_path(path),
        )

    return _unpickle(path, check)


def load_calls(path: Path, blob_shas: dict[str, str]) -> dict[str, list[CallRecord]] | None:
    """The calls saved with a snapshot, when they belong to exactly these files' contents."""

    def check(data: Any) -> dict[str, list[CallRecord]] | None:
        if not isinstance(data, dict) or data.get("blob_shas") != blob_shas:
            return None
        as_call = functools.partial(tuple.__new__, CallRecord)  # plain tuples pickle three times faster
        return {path: list(map(as_call, rows)) for path, rows in data["calls"].items()}

    return _unpickle(path, check)


def _write(path: Path, payload: dict[str, Any]) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    temporary.replace(path)


def save_snapshot(cache_dir: Path, graph: CodeGraph) -> None:
    """Write the graph's snapshot atomically; a cache that cannot be written is skipped, never an error."""
    path = snapshot_path(cache_dir, graph.root, graph.languages)
    records = graph.records()
    written_ns = time.time_ns()
    payload = {
        "format": SNAPSHOT_FORMAT,
        "root": str(graph.root),
        "records": {path: (sha, dataclasses.replace(record, calls=[])) for path, (sha, record) in records.items()},
        "nodes": graph.graph.node_table(),
        "edges": graph.graph.edge_columns(),
        "bases": graph.resolver.bases,
        "signatures": {path: graph.signatures[path] for path in records if path in graph.signatures},
        "written_ns": written_ns,
    }
    calls = {
        "blob_shas": graph.blob_shas,
        "calls": {path: list(map(tuple, record.calls)) for path, (_, record) in records.items()},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(_calls_path(path), calls)
        _write(path, payload)
    except OSError:
        pass
