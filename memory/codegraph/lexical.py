"""BM25 over a graph's functions/classes and over its files, as sparse matrices updated file by file.

Each file contributes a `FileTerms` block (its documents' term counts, keyed by its blob SHA); an index over a
changed graph re-counts only the files whose SHA changed. Scores are Lucene's BM25 (k1 = 1.5, b = 0.75, the
bm25s defaults), so a query is one sparse product. `ranking_cache.py` keeps the blocks per graph and tree SHA.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memory.codegraph.resolve import symbol_id
from memory.codegraph.text import split_identifier, stem, terms

if TYPE_CHECKING:
    import numpy as np

    from memory.codegraph.graph import CodeGraph
    from memory.codegraph.records import FileRecord

K1 = 1.5
B = 0.75
EMPTY = "<empty>"
"""The one term of an otherwise empty document, so that every document has a length."""


def path_terms(path: str) -> list[str]:
    out: list[str] = []
    for part in path.replace(".", "/").split("/"):
        out.extend(terms(part))
        out.extend(split_identifier(part))
    return out


@dataclass
class FileTerms:
    """One file's documents (one per class or function) and the file's own, as term numbers with their counts.

    The symbol documents are concatenated: the first `entries[0]` numbers belong to the first symbol, and so on."""

    sha: str
    symbol_ids: list[str]
    entries: np.ndarray[Any, Any]
    numbers: np.ndarray[Any, Any]
    counts: np.ndarray[Any, Any]
    file_numbers: np.ndarray[Any, Any]
    file_counts: np.ndarray[Any, Any]


def _counted(
    documents: list[list[str]], vocabulary: dict[str, int]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per document its number of distinct terms, then all documents' (term number, count) pairs in order.
    Terms new to `vocabulary` get the next numbers."""
    import numpy as np

    entries: list[int] = []
    numbers: list[int] = []
    counts: list[int] = []
    for tokens in documents:
        counted = Counter(map(stem, tokens) if tokens else [EMPTY])
        numbers.extend(vocabulary.setdefault(term, len(vocabulary)) for term in counted)
        counts.extend(counted.values())
        entries.append(len(counted))
    return np.array(entries, dtype=np.int32), np.array(numbers, dtype=np.int32), np.array(counts, dtype=np.int32)


def file_terms(path: str, sha: str, record: FileRecord, vocabulary: dict[str, int]) -> FileTerms:
    where = path_terms(path)
    names: list[str] = []
    ids: list[str] = []
    documents: list[list[str]] = []
    for symbol in record.symbols:
        name_terms = terms(symbol.qualname)
        body = symbol.terms.split()
        names.extend(name_terms)
        if symbol.kind != "class":
            names.extend(body)
        ids.append(symbol_id(path, symbol.qualname))
        documents.append([*where, *name_terms, *name_terms, *terms(symbol.doc), *body])
    entries, numbers, counts = _counted(documents, vocabulary)
    _, file_numbers, file_counts = _counted([[*where, *where, *names, *record.module_terms.split()]], vocabulary)
    return FileTerms(sha, ids, entries, numbers, counts, file_numbers, file_counts)


@dataclass
class Corpus:
    """BM25 weights as postings: for term t, documents `documents[starts[t]:starts[t + 1]]` with `weights` there.

    A query touches only its own terms' postings, and plain numpy suffices (no scipy import on the query path)."""

    ids: list[str]
    starts: np.ndarray[Any, Any]
    documents: np.ndarray[Any, Any]
    weights: np.ndarray[Any, Any]

    def scores(self, query: dict[int, float]) -> np.ndarray[Any, Any]:
        import numpy as np

        total = np.zeros(len(self.ids))
        for term, weight in query.items():
            if term + 1 < len(self.starts):
                span = slice(self.starts[term], self.starts[term + 1])
                total[self.documents[span]] += weight * self.weights[span]
        return total

    def terms_in(self, terms: list[int], positions: list[int]) -> dict[int, list[int]]:
        """For each document at `positions`, which of `terms` it contains."""
        import numpy as np

        chosen = np.zeros(len(self.ids), dtype=bool)
        chosen[positions] = True
        found: dict[int, list[int]] = {position: [] for position in positions}
        for term in terms:
            if term + 1 < len(self.starts):
                documents = self.documents[self.starts[term] : self.starts[term + 1]]
                for document in documents[chosen[documents]].tolist():
                    found[document].append(term)
        return found


def _corpus(
    ids: list[str],
    entries: np.ndarray[Any, Any],
    columns: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    size: int,
) -> Corpus:
    """BM25 weights of documents given as concatenated (term number, count) pairs, `entries[i]` for document i."""
    import numpy as np

    documents = len(entries)
    rows = np.repeat(np.arange(documents, dtype=np.int32), entries)
    tf = counts.astype(np.float64)
    lengths = np.bincount(rows, weights=tf, minlength=documents)
    frequencies = np.bincount(columns, minlength=size)
    idf = np.log(1 + (documents - frequencies + 0.5) / (frequencies + 0.5))
    average = lengths.mean() if documents else 1.0
    weights = tf / (K1 * ((1 - B) + B * lengths[rows] / average) + tf) * idf[columns]
    order = np.argsort(columns, kind="stable")
    starts = np.concatenate([[0], np.cumsum(frequencies)]).astype(np.int64)
    return Corpus(ids, starts, rows[order], weights[order].astype(np.float32))


@dataclass
class LexicalIndex:
    version: int
    vocabulary: dict[str, int]
    symbols: Corpus
    files: Corpus
    packed_blocks: bytes = b""
    """The per-file `FileTerms`, pickled: unpacked only when files changed and must be counted again."""
    recounted: int = 0
    """Files whose documents were counted for this index rather than reused."""
    blocks_file: Path | None = None
    """Where `packed_blocks` are on disk when they were not read with the index (a warm query never needs them)."""

    def counted_blocks(self) -> dict[str, FileTerms]:
        """Path → its counted documents, from `packed_blocks` or `blocks_file` (none when that cannot be read)."""
        if self.packed_blocks or self.blocks_file is None:
            return unpack_blocks(self.packed_blocks)
        return read_blocks(self.blocks_file)

    @property
    def symbol_ids(self) -> list[str]:
        return self.symbols.ids

    @property
    def file_ids(self) -> list[str]:
        return self.files.ids

    def _query(self, query: dict[str, float]) -> dict[int, float]:
        numbers: dict[int, float] = {}
        for term, weight in query.items():
            number = self.vocabulary.get(stem(term))
            if number is not None:
                numbers[number] = numbers.get(number, 0.0) + weight
        return numbers

    def scores(self, query: dict[str, float], files: bool) -> np.ndarray[Any, Any]:
        """BM25 of every document for weighted query terms: the sum of each term's score times its weight."""
        return (self.files if files else self.symbols).scores(self._query(query))

    def symbols_with(self, term: str) -> list[str]:
        """The functions and classes whose documents contain `term` (as stemmed)."""
        number = self.vocabulary.get(stem(term))
        if number is None or number + 1 >= len(self.symbols.starts):
            return []
        documents = self.symbols.documents[self.symbols.starts[number] : self.symbols.starts[number + 1]]
        return [self.symbols.ids[document] for document in documents.tolist()]

    def shared_terms(self, query: dict[str, float], positions: list[int]) -> dict[int, list[str]]:
        """For symbol documents at `positions`, the query terms each contains."""
        numbers = list(self._query(query))
        if not numbers or not positions:
            return {}
        written = {self.vocabulary.get(stem(term)): term for term in query}
        found = self.symbols.terms_in(numbers, positions)
        return {position: [written[n] for n in terms] for position, terms in found.items()}


def read_blocks(path: Path) -> dict[str, FileTerms]:
    """The counted documents written to `path` as `packed_blocks`; none when the file cannot be read."""
    import pickle

    try:
        return unpack_blocks(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return {}


def unpack_blocks(packed: bytes) -> dict[str, FileTerms]:
    """Path → its counted documents, from `LexicalIndex.packed_blocks`."""
    import pickle

    blocks: dict[str, FileTerms] = pickle.loads(packed) if packed else {}
    return blocks


def build_index(
    graph: CodeGraph, vocabulary: dict[str, int] | None = None, counted: dict[str, FileTerms] | None = None
) -> LexicalIndex:
    """The index of the graph as it is, counting only the files whose blob SHA no block of `counted` has."""
    import pickle

    import numpy as np

    vocabulary = dict(vocabulary or {})
    blocks: dict[str, FileTerms] = {}
    recounted = 0
    for path in sorted(graph.resolver.records):
        sha = graph.blob_shas.get(path, "")
        kept = (counted or {}).get(path)
        if kept is None or kept.sha != sha:
            graph.ensure_terms()
            kept = file_terms(path, sha, graph.resolver.records[path], vocabulary)
            recounted += 1
        blocks[path] = kept
    files = list(blocks.values())
    concatenated = {
        name: np.concatenate([getattr(block, name) for block in files]) if files else np.zeros(0, dtype=np.int32)
        for name in ("entries", "numbers", "counts", "file_numbers", "file_counts")
    }
    file_entries = np.array([len(block.file_numbers) for block in files], dtype=np.int32)
    size = len(vocabulary)
    return LexicalIndex(
        version=graph.version,
        vocabulary=vocabulary,
        symbols=_corpus(
            [node for block in files for node in block.symbol_ids],
            concatenated["entries"],
            concatenated["numbers"],
            concatenated["counts"],
            size,
        ),
        files=_corpus(list(blocks), file_entries, concatenated["file_numbers"], concatenated["file_counts"], size),
        packed_blocks=pickle.dumps(blocks, protocol=pickle.HIGHEST_PROTOCOL),
        recounted=recounted,
    )
