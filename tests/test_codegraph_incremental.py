"""Persistence and incrementality: blob-SHA cache, edits, renames, deletions, directories without git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from memory.codegraph import CodeGraph
from memory.codegraph.cache import blob_sha
from tests.codegraph_fixtures import copy_fixture


def test_blob_sha_matches_git_hash_object(tmp_path: Path) -> None:
    file = tmp_path / "a.py"
    file.write_bytes(b"print('hi')\n")
    expected = subprocess.run(["git", "hash-object", str(file)], capture_output=True, text=True, check=True)
    assert blob_sha(file.read_bytes()) == expected.stdout.strip()


def test_a_second_index_parses_only_changed_files(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    first = CodeGraph.build(repo, cache_dir=tmp_path / "cache")
    assert first.stats.parsed == first.stats.files == 7
    (repo / "shop" / "pricing.py").write_text("def apply_discount(amount, rate):\n    return amount\n")
    second = CodeGraph.build(repo, cache_dir=tmp_path / "cache")
    assert (second.stats.parsed, second.stats.from_cache) == (1, 6)
    assert second.definition("apply_discount")[0].end_line == 2


def test_an_edit_updates_nodes_and_edges_in_place(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    graph = CodeGraph.build(repo, cache_dir=None)
    cart = repo / "shop" / "cart.py"
    cart.write_text(
        cart.read_text() + "\n    def checkout_total(self):\n        return round_price(self.total())\n",
    )
    cart.write_text(cart.read_text().replace("from shop.base", "from shop.pricing import round_price\nfrom shop.base"))
    assert graph.update_file("shop/cart.py") is True
    assert graph.update_file("shop/cart.py") is False
    assert {i.id for i, _ in graph.callees("Cart.checkout_total")} == {
        "shop/pricing.py:round_price",
        "shop/cart.py:Cart.total",
    }
    assert graph.definition("Cart.total")[0].start_line == 12
    assert ("shop/cart.py:Cart", "inherits") in {(r.source.id, r.kind) for r in graph.references("BaseCart")}
    assert "shop/checkout.py:checkout" in {i.id for i, _ in graph.callers("Cart.total")}


def test_editing_a_callee_file_keeps_incoming_edges(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    graph = CodeGraph.build(repo, cache_dir=None)
    pricing = repo / "shop" / "pricing.py"
    pricing.write_text("\n\n" + pricing.read_text())
    graph.update_file("shop/pricing.py")
    assert graph.definition("apply_discount")[0].start_line == 3
    assert "shop/cart.py:Cart.total" in {i.id for i, _ in graph.callers("apply_discount")}


def test_a_deleted_file_disappears_with_its_edges(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    graph = CodeGraph.build(repo, cache_dir=None)
    (repo / "shop" / "pricing.py").unlink()
    graph.update_file("shop/pricing.py")
    assert graph.definition("apply_discount") == []
    assert {i.id for i, _ in graph.callees("Cart.total")} == {"shop/base.py:BaseCart._sum"}


def test_a_renamed_file_is_found_under_its_new_module(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    graph = CodeGraph.build(repo, cache_dir=None)
    (repo / "shop" / "pricing.py").rename(repo / "shop" / "prices.py")
    cart = repo / "shop" / "cart.py"
    cart.write_text(cart.read_text().replace("shop.pricing", "shop.prices"))
    assert sorted(graph.refresh()) == ["shop/cart.py", "shop/prices.py", "shop/pricing.py"]
    assert graph.resolve_symbol("shop.prices.apply_discount") == ["shop/prices.py:apply_discount"]
    assert "shop/prices.py:apply_discount" in {i.id for i, _ in graph.callees("Cart.total")}


def test_git_repositories_skip_ignored_files(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("generated/\n")
    (repo / "generated").mkdir()
    (repo / "generated" / "junk.py").write_text("def junk():\n    pass\n")
    graph = CodeGraph.build(repo, cache_dir=None)
    assert graph.definition("junk") == []
    assert graph.definition("apply_discount")


def _shape(graph: CodeGraph) -> tuple[set[str], list[tuple[object, ...]]]:
    edges = [(s, t, k, d["line"], d["exact"]) for s, t, k, d in graph.graph.edges(keys=True, data=True)]
    return set(graph.graph.nodes), sorted(edges, key=repr)


def test_files_changed_together_are_updated_as_a_fresh_index_sees_them(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    graph = CodeGraph.build(repo, cache_dir=None)
    for path in ("shop/pricing.py", "shop/cart.py"):
        file = repo / path
        file.write_text(file.read_text().replace("apply_discount", "discounted"))
    (repo / "shop" / "checkout.py").unlink()
    (repo / "shop" / "refund.py").write_text(
        "from shop.pricing import discounted\n\n\ndef refund(x):\n    return discounted(x, 0)\n"
    )
    changed = graph.update_files(
        ["shop/pricing.py", "shop/cart.py", "shop/checkout.py", "shop/refund.py", "shop/cart.py"]
    )
    assert changed == ["shop/pricing.py", "shop/cart.py", "shop/checkout.py", "shop/refund.py"]
    assert _shape(graph) == _shape(CodeGraph.build(repo, cache_dir=None))
    assert graph.update_files(["shop/cart.py"]) == []
