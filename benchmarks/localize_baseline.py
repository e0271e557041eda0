"""The plain baselines: BM25 (bm25s, English stopwords) over whole files and over function bodies."""

from __future__ import annotations

from pathlib import Path

from memory.codegraph import CodeGraph

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


def _source(graph: CodeGraph, path: str) -> str:
    return (Path(graph.root) / path).read_text(encoding="utf-8", errors="replace")


def bm25_files(graph: CodeGraph, query: str) -> list[str]:
    paths = sorted(graph.resolver.records)
    return _rank([f"{path}\n{_source(graph, path)}" for path in paths], paths, query)


def bm25_functions(graph: CodeGraph, query: str) -> list[str]:
    ids: list[str] = []
    documents: list[str] = []
    for path in sorted(graph.resolver.records):
        lines = _source(graph, path).splitlines()
        for symbol in graph.resolver.records[path].symbols:
            if symbol.kind == "class" or symbol.qualname.count(".") > (1 if "." in symbol.qualname else 0):
                continue
            ids.append(f"{path}:{symbol.qualname}")
            documents.append(f"{path} {symbol.qualname}\n" + "\n".join(lines[symbol.start_line - 1 : symbol.end_line]))
    return _rank(documents, ids, query)
