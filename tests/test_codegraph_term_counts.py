"""The parsing workers count each file's lexical documents: the index made from their counts is the one counting
every file in this process makes, term numbers included, and it is saved for the next query like any other."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from memory.codegraph import CodeGraph, localize
from memory.codegraph.lexical import build_index, unpack_blocks
from memory.codegraph.parsing import POOL_MINIMUM
from memory.codegraph.ranking_cache import lexical_index

WORDS = ["invoice", "discount", "shipping", "refund", "ledger", "tax", "coupon", "parcel", "currency", "receipt"]


def _shop(root: Path, count: int = POOL_MINIMUM + 6) -> Path:
    """Enough modules for the worker pool, each with its own mix of words so that term numbers depend on order."""
    package = root / "shop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for number in range(count):
        first, second = WORDS[number % len(WORDS)], WORDS[(number * 3 + 1) % len(WORDS)]
        (package / f"part_{number}.py").write_text(
            f"class {first.title()}Book{number}:\n"
            f'    """Keeps the {first} and the {second} of order {number}."""\n\n'
            f"    def {second}_total(self, {first}_amount):\n"
            f"        return {first}_amount * {number + 1}\n\n\n"
            f"def apply_{first}_{second}(order):\n"
            f"    return {first.title()}Book{number}().{second}_total(order.{first}) + {number}\n"
        )
    return root


def test_an_index_from_the_workers_counts_equals_counting_every_file_here(tmp_path: Path) -> None:
    graph = CodeGraph.build(_shop(tmp_path / "repo"), cache_dir=None, workers=2)
    assert graph.stats.workers == 2 and len(graph.counted_terms) == graph.stats.files

    from_workers = lexical_index(graph)
    counted_here = build_index(graph)

    assert not graph.counted_terms, "the counts are handed over once, not kept beside the index"
    assert list(from_workers.vocabulary.items()) == list(counted_here.vocabulary.items())
    for name in ("symbols", "files"):
        ours, theirs = getattr(from_workers, name), getattr(counted_here, name)
        assert ours.ids == theirs.ids
        for column in ("starts", "documents", "weights"):
            assert np.array_equal(getattr(ours, column), getattr(theirs, column)), (name, column)
    blocks, expected = unpack_blocks(from_workers.packed_blocks), unpack_blocks(counted_here.packed_blocks)
    assert list(blocks) == list(expected)
    for path, block in blocks.items():
        assert np.array_equal(block.numbers, expected[path].numbers)
        assert np.array_equal(block.file_numbers, expected[path].file_numbers)
    query = {"refund": 1.0, "coupon": 2.0}
    assert np.allclose(from_workers.scores(query, files=False), counted_here.scores(query, files=False))


def test_an_index_from_the_workers_counts_is_saved_for_the_next_query(tmp_path: Path) -> None:
    repo, cache = _shop(tmp_path / "repo"), tmp_path / "cache"
    cold = CodeGraph.build(repo, cache_dir=cache, workers=2)
    assert lexical_index(cold).recounted == cold.stats.files

    warm = CodeGraph.build(repo, cache_dir=cache)
    assert not warm.counted_terms and lexical_index(warm).recounted == 0
    issue = "the refund total of a coupon is wrong"
    ranked = [function.id for function in localize(warm, issue).functions]
    assert ranked and ranked == [function.id for function in localize(cold, issue).functions]
