"""The lexical index on disk, one file per tree SHA, so a warm query neither counts nor weighs anything again.

`<cache>/<format>/ranking/<tree sha>.pickle` holds the vocabulary, both BM25 matrices and each file's counted
documents (pickled apart, unpacked only to count changed files); `<root key>.latest` names the tree a checkout saved
last, so after an edit only the changed files are counted again. The folder keeps
the `KEPT` most recently used trees.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memory.codegraph.cache import CACHE_FORMAT
from memory.codegraph.collection import collection_paused
from memory.codegraph.lexical import LexicalIndex, build_index, unpack_blocks
from memory.codegraph.term_counts import renumbered

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

RANKING_FORMAT = 3
"""Bumped whenever the counted documents change (what goes into a symbol's or a file's document)."""
KEPT = 6
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, KeyError)


def _folder(graph: CodeGraph) -> Path | None:
    return graph.cache.root / CACHE_FORMAT / "ranking" if graph.cache.root is not None else None


def _latest_pointer(folder: Path, graph: CodeGraph) -> Path:
    key = hashlib.sha1(f"{graph.root}\0{','.join(graph.languages)}".encode()).hexdigest()
    return folder / f"{key}.latest"


def _read(path: Path) -> dict[str, Any] | None:
    with collection_paused():
        try:
            data = pickle.loads(path.read_bytes())
        except UNREADABLE:
            return None
    if not isinstance(data, dict) or data.get("format") != RANKING_FORMAT:
        return None
    os.utime(path)
    return data


def load_lexical(graph: CodeGraph) -> LexicalIndex | None:
    """The index saved for this tree, else the one this checkout saved last with the changed files counted again."""
    folder = _folder(graph)
    if folder is None:
        return None
    data = _read(folder / f"{graph.tree_sha}.pickle")
    if data is not None:
        return LexicalIndex(graph.version, data["vocabulary"], data["symbols"], data["files"], data["blocks"])
    try:
        latest = _latest_pointer(folder, graph).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    data = _read(folder / f"{latest}.pickle")
    if data is None:
        return None
    return build_index(graph, data["vocabulary"], unpack_blocks(data["blocks"]))


def save_lexical(graph: CodeGraph, index: LexicalIndex) -> None:
    """Keep the index under the graph's tree SHA; a cache that cannot be written is skipped."""
    folder = _folder(graph)
    if folder is None:
        return
    tree = graph.tree_sha
    payload = {
        "format": RANKING_FORMAT,
        "vocabulary": index.vocabulary,
        "symbols": index.symbols,
        "files": index.files,
        "blocks": index.packed_blocks,
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{tree}.pickle"
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(target)
        _latest_pointer(folder, graph).write_text(tree, encoding="utf-8")
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    saved = sorted(folder.glob("*.pickle"), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in saved[KEPT:]:
        stale.unlink(missing_ok=True)


def _counted_index(graph: CodeGraph) -> LexicalIndex:
    """A fresh index, taking the documents the parsing workers counted (build_index counts any file they did not)."""
    counted, graph.counted_terms = graph.counted_terms, {}
    if not counted:
        return build_index(graph)
    numbered = renumbered(counted)
    index = build_index(graph, numbered.vocabulary, numbered.blocks)
    index.recounted = len(index.file_ids)
    return index


@collection_paused()
def lexical_index(graph: CodeGraph) -> LexicalIndex:
    """The graph's index, kept per graph version in memory and per tree SHA on disk; counts only what changed."""
    cached: LexicalIndex | None = getattr(graph, "_lexical", None)
    if cached is not None and cached.version == graph.version:
        return cached
    if cached is not None:
        index = build_index(graph, cached.vocabulary, unpack_blocks(cached.packed_blocks))
    else:
        index = load_lexical(graph) or _counted_index(graph)
    if index.recounted:
        save_lexical(graph, index)
    graph._lexical = index  # type: ignore[attr-defined]
    return index
