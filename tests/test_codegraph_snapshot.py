"""The saved whole-graph snapshot: a re-index patches in only what changed and ends equal to a fresh build."""

from __future__ import annotations

from pathlib import Path

from memory.codegraph import CodeGraph, localize
from memory.codegraph.lexical import build_index
from memory.codegraph.literals import literal_hits
from memory.codegraph.snapshot import snapshot_path
from tests.codegraph_fixtures import copy_fixture


def _shape(graph: CodeGraph) -> tuple[set[str], set[tuple[str, str, str]]]:
    return set(graph.graph.nodes), {(u, v, k) for u, v, k in graph.graph.edges(keys=True)}


def test_a_reindex_starts_from_the_snapshot_and_matches_a_fresh_build(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    cache = tmp_path / "cache"
    first = CodeGraph.build(repo, cache_dir=cache)
    assert snapshot_path(cache, first.root, first.languages).is_file()
    pricing = repo / "shop" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef surcharge(amount):\n    return round_price(amount * 1.1)\n")
    (repo / "shop" / "checkout.py").unlink()

    again = CodeGraph.build(repo, cache_dir=cache)

    assert (again.stats.parsed, again.stats.files) == (1, 6)
    assert _shape(again) == _shape(CodeGraph.build(repo, cache_dir=None))
    assert {i.id for i, _ in again.callees("surcharge")} == {"shop/pricing.py:round_price"}
    assert not again.definition("checkout")


def _terms(graph: CodeGraph) -> dict[str, tuple[str, list[str]]]:
    return {path: (r.module_terms, [s.terms for s in r.symbols]) for path, (_, r) in graph.records().items()}


def test_a_graph_from_the_snapshot_counts_the_same_search_terms_as_a_fresh_build(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    cache = tmp_path / "cache"
    CodeGraph.build(repo, cache_dir=cache)
    fresh = CodeGraph.build(repo, cache_dir=None)
    query = {"discount": 1.0, "rate": 1.0, "checkout": 1.0}

    warm = CodeGraph.build(repo, cache_dir=cache)
    assert warm.stats.parsed == 0
    assert list(build_index(warm).scores(query, files=False)) == list(build_index(fresh).scores(query, files=False))
    assert _terms(warm) == _terms(fresh)
    assert any(terms for terms, _ in _terms(fresh).values())

    snapshot = snapshot_path(cache, warm.root, warm.languages)
    snapshot.with_suffix(".terms.pickle").write_bytes(b"not a pickle")
    assert _terms(CodeGraph.build(repo, cache_dir=cache)) == _terms(fresh)


def test_an_unreadable_snapshot_falls_back_to_a_full_index(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    cache = tmp_path / "cache"
    first = CodeGraph.build(repo, cache_dir=cache)
    snapshot_path(cache, first.root, first.languages).write_bytes(b"not a pickle")
    graph = CodeGraph.build(repo, cache_dir=cache)
    assert graph.stats.files == 7
    assert graph.definition("apply_discount")


def test_an_error_message_quoted_in_an_issue_points_at_the_raising_function(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    graph = CodeGraph.build(repo, cache_dir=None)
    issue = "Checkout crashes:\n\n```\nValueError: rate above one\n```\n"
    result = localize(graph, issue)
    assert result.files[0].path == "shop/pricing.py"
    assert result.functions[0].id == "shop/pricing.py:apply_discount"
    assert literal_hits(graph, issue)["shop/pricing.py:apply_discount"][1] == "quotes the code: 'rate above one'"
