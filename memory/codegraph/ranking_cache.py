"""The lexical index on disk, one file per tree SHA, so a warm query neither counts nor weighs anything again.

`<cache>/<format>/ranking/<tree sha>.pickle` holds the vocabulary and both BM25 matrices; `<tree sha>.blocks.pickle`
each file's counted documents, read only to count changed files (on sympy 13 of 28 MB, which a warm query skips);
`<root key>.latest` names the tree a checkout saved last, so after an edit only the changed files are counted
again. The folder keeps the `KEPT` most recently used trees.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memory.codegraph.cache import CACHE_FORMAT
from memory.codegraph.collection import collection_paused
from memory.codegraph.lexical import LexicalIndex, build_index, read_blocks
from memory.codegraph.term_counts import renumbered

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph

RANKING_FORMAT = 4
"""Bumped whenever the counted documents change (what goes into a symbol's or a file's document)."""
KEPT = 6
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, KeyError)


def _folder(graph: CodeGraph) -> Path | None:
    return graph.cache.root / CACHE_FORMAT / "ranking" if graph.cache.root is not None else None


def _blocks_path(tree_file: Path) -> Path:
    return tree_file.with_suffix(".blocks.pickle")


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
    tree_file = folder / f"{graph.tree_sha}.pickle"
    data = _read(tree_file)
    if data is not None:
        return LexicalIndex(
            graph.version, data["vocabulary"], data["symbols"], data["files"], blocks_file=_blocks_path(tree_file)
        )
    try:
        latest = _latest_pointer(folder, graph).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    latest_file = folder / f"{latest}.pickle"
    data = _read(latest_file)
    if data is None:
        return None
    return build_index(graph, data["vocabulary"], read_blocks(_blocks_path(latest_file)))


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
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{tree}.pickle"
        _write(_blocks_path(target), index.packed_blocks)
        _write(target, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        _latest_pointer(folder, graph).write_text(tree, encoding="utf-8")
        _prune(folder)
    except OSError:
        pass


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def _prune(folder: Path) -> None:
    trees = [path for path in folder.glob("*.pickle") if not path.name.endswith(".blocks.pickle")]
    saved = sorted(trees, key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in saved[KEPT:]:
        stale.unlink(missing_ok=True)
        _blocks_path(stale).unlink(missing_ok=True)


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
        index = build_index(graph, cached.vocabulary, cached.counted_blocks())
    else:
        index = load_lexical(graph) or _counted_index(graph)
    if index.recounted:
        save_lexical(graph, index)
    graph._lexical = index  # type: ignore[attr-defined]
    return index
