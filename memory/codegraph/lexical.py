"""bm25s indexes over a graph's functions/classes and files, rebuilt only when the graph changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from memory.codegraph.resolve import symbol_id
from memory.codegraph.text import split_identifier, terms

if TYPE_CHECKING:
    import bm25s
    import numpy as np

    from memory.codegraph.graph import CodeGraph


def path_terms(path: str) -> list[str]:
    out: list[str] = []
    for part in path.replace(".", "/").split("/"):
        out.extend(terms(part))
        out.extend(split_identifier(part))
    return out


@dataclass
class LexicalIndex:
    version: int
    symbol_ids: list[str]
    symbol_index: bm25s.BM25
    symbol_terms: list[set[str]]
    file_ids: list[str]
    file_index: bm25s.BM25

    def scores(self, query: dict[str, float], files: bool) -> np.ndarray[Any, Any]:
        """BM25 of every document for weighted query terms: the sum of each term's score times its weight."""
        import numpy as np

        index = self.file_index if files else self.symbol_index
        vocabulary: dict[str, int] = index.vocab_dict
        total = np.zeros(len(self.file_ids if files else self.symbol_ids))
        for term, weight in query.items():
            if term in vocabulary and len(total):
                total += weight * np.asarray(index.get_scores([term]), dtype=float)
        return total


def _fit(corpus: list[list[str]]) -> bm25s.BM25:
    import bm25s

    index = bm25s.BM25()
    index.index([doc or ["<empty>"] for doc in corpus], show_progress=False)
    return index


def build_index(graph: CodeGraph) -> LexicalIndex:
    symbol_ids: list[str] = []
    symbol_docs: list[list[str]] = []
    file_ids: list[str] = []
    file_docs: list[list[str]] = []
    for path, record in graph.resolver.records.items():
        where = path_terms(path)
        names: list[str] = []
        for symbol in record.symbols:
            name_terms = terms(symbol.qualname)
            names.extend(name_terms)
            if symbol.kind != "class":
                names.extend(symbol.terms)
            symbol_ids.append(symbol_id(path, symbol.qualname))
            symbol_docs.append([*where, *name_terms, *name_terms, *terms(symbol.doc), *symbol.terms])
        file_ids.append(path)
        file_docs.append([*where, *where, *names, *record.module_terms])
    return LexicalIndex(
        version=graph.version,
        symbol_ids=symbol_ids,
        symbol_index=_fit(symbol_docs),
        symbol_terms=[set(doc) for doc in symbol_docs],
        file_ids=file_ids,
        file_index=_fit(file_docs),
    )


def lexical_index(graph: CodeGraph) -> LexicalIndex:
    cached: LexicalIndex | None = getattr(graph, "_lexical", None)
    if cached is None or cached.version != graph.version:
        cached = build_index(graph)
        graph._lexical = cached  # type: ignore[attr-defined]
    return cached
