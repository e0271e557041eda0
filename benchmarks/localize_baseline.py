"""The plain baselines the data README describes: BM25 (bm25s, English stopwords) over whole files, and over functions.

Documents are the raw text only: a file's content (every source file of every language the graph knows, tests and
docs included, no path prefix) or a function's body (top-level functions and methods of top-level classes).
"""

from __future__ import annotations

from pathlib import Path

from memory.codegraph import CodeGraph
from memory.codegraph.cache import list_source_files
from memory.codegraph.languages import LANGUAGES, language_of

TOP_K = 10


def _rank(documents: list[str], ids: list[str], query: str) -> list[str]:
    import bm25s

    if not documents:
        return []
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(documents, stopwords="en", show_progress=False), show_progress=False)
    tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
    k = min(TOP_K, len(documents))
    results, _ = retriever.retrieve(tokens, k=k, show_progress=False)
    return [ids[int(i)] for i in results[0]]


def _source(root: Path, path: str) -> str:
    return (root / path).read_text(encoding="utf-8", errors="replace")


def bm25_files(graph: CodeGraph, query: str) -> list[str]:
    every_language = tuple(LANGUAGES)
    paths = [path for path in list_source_files(graph.root) if language_of(path, every_language)]
    return _rank([_source(graph.root, path) for path in paths], paths, query)


def bm25_functions(graph: CodeGraph, query: str) -> list[str]:
    ids: list[str] = []
    documents: list[str] = []
    for path in sorted(graph.resolver.records):
        lines = _source(graph.root, path).splitlines()
        for symbol in graph.resolver.records[path].symbols:
            if symbol.kind == "class" or symbol.qualname.count(".") > (1 if "." in symbol.qualname else 0):
                continue
            ids.append(f"{path}:{symbol.qualname}")
            documents.append("\n".join(lines[symbol.start_line - 1 : symbol.end_line]))
    return _rank(documents, ids, query)
