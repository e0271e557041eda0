"""A saved whole-graph snapshot per repository, so a re-index only re-parses and re-links the files that changed.

Three files next to the record cache (`<cache>/<format>/snapshots/<key>.*`), keyed by the repository's absolute
path and the indexed languages: `.pickle` holds each file's record without its calls and search terms, blob SHA and
stat signature, the nodes, the resolved edges as numpy columns and the base classes; `.calls.pickle` holds the
calls, which only re-linking after an edit needs, so a query loads them never and an edit once; `.terms.pickle`
holds the search terms (on sympy 15 of 34 MB), which only counting a file's lexical documents needs, so a query
whose lexical index is cached loads them never. A file whose size, mtime and inode match its signature keeps its
blob SHA without being read, unless it changed within `RACY_NS` of the snapshot (as git does).
"""

from __future__ import annotations

import copyreg
import functools
import hashlib
import io
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
from memory.codegraph.records import CallRecord, FileRecord, SymbolRecord, unpickled_record

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

SNAPSHOT_FORMAT = 5
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
FileTermsText = tuple[str, list[str]]
"""A record's search terms: its module terms, then each symbol's terms in order."""
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
    terms_path: Path

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


def _terms_path(path: Path) -> Path:
    return path.with_suffix(".terms.pickle")


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
            _terms_path(path),
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


def load_terms(path: Path, blob_shas: dict[str, str]) -> dict[str, FileTermsText]:
    """The search terms saved with a snapshot, of the files whose content is still what was saved."""

    def check(data: Any) -> dict[str, tuple[str, FileTermsText]] | None:
        return data.get("terms") if isinstance(data, dict) else None

    saved = _unpickle(path, check) or {}
    return {path: terms for path, (sha, terms) in saved.items() if blob_shas.get(path) == sha}


def _symbol_without_terms(symbol: SymbolRecord) -> tuple[Any, ...]:
    fields = (symbol.name, symbol.qualname, symbol.kind, symbol.start_line, symbol.end_line)
    return (SymbolRecord, (*fields, symbol.signature, symbol.doc, symbol.bases, ""))


def _record_without_calls_and_terms(record: FileRecord) -> tuple[Any, ...]:
    imports = list(map(tuple, record.imports))
    fields = (record.syntax_errors, "", record.line_count, record.strings)
    return (unpickled_record, (record.language, record.symbols, [], imports, *fields))


def _pickled(payload: Any, lean_records: bool = False) -> bytes:
    """`payload` pickled; with `lean_records`, its records without their calls and search terms (no copies made)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    if lean_records:
        table = copyreg.dispatch_table.copy()
        table[SymbolRecord] = _symbol_without_terms
        table[FileRecord] = _record_without_calls_and_terms
        pickler.dispatch_table = table
    pickler.dump(payload)
    return buffer.getvalue()


def _write(path: Path, payload: dict[str, Any], lean_records: bool = False) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(_pickled(payload, lean_records))
    temporary.replace(path)


def save_snapshot(cache_dir: Path, graph: CodeGraph) -> None:
    """Write the graph's snapshot atomically; a cache that cannot be written is skipped, never an error."""
    path = snapshot_path(cache_dir, graph.root, graph.languages)
    records = graph.records()
    written_ns = time.time_ns()
    payload = {
        "format": SNAPSHOT_FORMAT,
        "root": str(graph.root),
        "records": records,
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
    terms = {
        "terms": {
            path: (sha, (record.module_terms, [symbol.terms for symbol in record.symbols]))
            for path, (sha, record) in records.items()
        }
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(_calls_path(path), calls)
        _write(_terms_path(path), terms)
        _write(path, payload, lean_records=True)
    except OSError:
        pass
