"""A file's lexical documents counted where it is parsed, so the parsing workers share the counting.

Counting every function's terms is the largest part of building the lexical index from scratch. A worker counts
each file it parses against the file's own vocabulary (`LocalTerms`); the caller renumbers the blocks into one
vocabulary, in path order, which numbers every term exactly as counting all files in that order would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from memory.codegraph.lexical import FileTerms, file_terms

if TYPE_CHECKING:
    from memory.codegraph.records import FileRecord


@dataclass
class LocalTerms:
    """One file's counted documents with term numbers into `vocabulary`, the file's terms in order of first use."""

    vocabulary: list[str]
    block: FileTerms


@dataclass
class CountedTerms:
    """Counted documents of many files over one vocabulary, ready for `lexical.build_index`."""

    vocabulary: dict[str, int]
    blocks: dict[str, FileTerms]


def count_file(path: str, sha: str, record: FileRecord) -> LocalTerms:
    vocabulary: dict[str, int] = {}
    block = file_terms(path, sha, record, vocabulary)
    return LocalTerms(list(vocabulary), block)


def renumbered(counted: dict[str, LocalTerms]) -> CountedTerms:
    """The files' blocks over one vocabulary, numbered in path order."""
    import numpy as np

    vocabulary: dict[str, int] = {}
    blocks: dict[str, FileTerms] = {}
    for path in sorted(counted):
        local = counted[path]
        block = local.block
        numbers = np.fromiter(
            (vocabulary.setdefault(term, len(vocabulary)) for term in local.vocabulary),
            dtype=np.int32,
            count=len(local.vocabulary),
        )
        blocks[path] = FileTerms(
            block.sha,
            block.symbol_ids,
            block.entries,
            numbers[block.numbers],
            block.counts,
            numbers[block.file_numbers],
            block.file_counts,
        )
    return CountedTerms(vocabulary, blocks)
