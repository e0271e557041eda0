"""JavaScript, TypeScript, Java and Go: definitions, calls across files, inheritance and imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.codegraph import CodeGraph
from tests.codegraph_fixtures import FIXTURES


def build(name: str) -> CodeGraph:
    return CodeGraph.build(FIXTURES / name, cache_dir=None)


@pytest.mark.parametrize(
    ("language", "method", "callees", "base"),
    [
        (
            "javascript",
            "src/cart.js:Cart.total",
            {"src/pricing.js:applyDiscount", "src/cart.js:BaseCart.sum"},
            "src/cart.js:BaseCart",
        ),
        (
            "typescript",
            "src/cart.ts:Cart.total",
            {"src/pricing.ts:applyDiscount", "src/cart.ts:BaseCart.sum"},
            "src/cart.ts:BaseCart",
        ),
        (
            "java",
            "src/main/java/com/shop/Cart.java:Cart.total",
            {
                "src/main/java/com/shop/Pricing.java:Pricing.applyDiscount",
                "src/main/java/com/shop/BaseCart.java:BaseCart.sum",
            },
            "src/main/java/com/shop/BaseCart.java:BaseCart",
        ),
    ],
)
def test_classes_methods_calls_and_inheritance(language: str, method: str, callees: set[str], base: str) -> None:
    graph = build(language)
    [info] = graph.definition(method)
    assert info.kind == "method"
    assert {i.id for i, _ in graph.callees(method)} == callees
    owner = method.rsplit(".", 1)[0]
    assert (owner, "inherits") in {(r.source.id, r.kind) for r in graph.references(base)}


def test_javascript_imports_and_test_links() -> None:
    graph = build("javascript")
    assert ("src/cart.js", "imports") in {(r.source.id, r.kind) for r in graph.references("applyDiscount")}
    assert [t.id for t in graph.tests_for("makeCart")] == ["test/cart.test.js"]


def test_go_methods_are_qualified_by_their_receiver_and_calls_cross_packages() -> None:
    graph = build("go")
    [total] = graph.definition("Cart.Total")
    assert (total.path, total.kind) == ("cart/cart.go", "method")
    assert {i.id for i, _ in graph.callees("Cart.Total")} == {
        "cart/cart.go:Cart.Sum",
        "pricing/pricing.go:ApplyDiscount",
    }
    assert graph.definition("ApplyDiscount")[0].doc == "ApplyDiscount reduces an amount by a rate."


def test_language_filter_limits_what_is_indexed(tmp_path: Path) -> None:
    graph = CodeGraph.build(FIXTURES, languages=["go"], cache_dir=None)
    assert {graph.graph.nodes[n]["language"] for n in graph.graph if graph.graph.nodes[n]["kind"] == "file"} == {"go"}
