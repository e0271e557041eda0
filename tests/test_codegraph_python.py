"""The Python graph: definitions, references, calls, inheritance, test links, aliases and syntax errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.codegraph import CodeGraph
from tests.codegraph_fixtures import copy_fixture


@pytest.fixture
def graph(tmp_path: Path) -> CodeGraph:
    return CodeGraph.build(copy_fixture("python", tmp_path), cache_dir=tmp_path / "cache")


def test_definitions_carry_spans_signatures_and_docstrings(graph: CodeGraph) -> None:
    [total] = graph.definition("Cart.total")
    assert total.id == "shop/cart.py:Cart.total"
    assert (total.kind, total.start_line, total.end_line) == ("method", 11, 13)
    assert total.signature == "def total(self, rate=0.0)"
    assert total.doc.startswith("Total after the discount")


def test_dotted_names_and_reexported_aliases_resolve(graph: CodeGraph) -> None:
    assert graph.resolve_symbol("shop.cart.Cart.total") == ["shop/cart.py:Cart.total"]
    assert graph.resolve_symbol("shop.Basket") == ["shop/cart.py:Cart"]
    assert graph.resolve_symbol("shop.pricing") == ["shop/pricing.py"]


def test_calls_follow_import_aliases_and_self_through_base_classes(graph: CodeGraph) -> None:
    callees = {info.id for info, _ in graph.callees("shop/cart.py:Cart.total")}
    assert callees == {"shop/pricing.py:apply_discount", "shop/base.py:BaseCart._sum"}
    callers = {info.id for info, _ in graph.callers("apply_discount", hops=2)}
    assert {"shop/cart.py:Cart.total", "shop/checkout.py:checkout"} <= callers


def test_references_include_imports_calls_and_subclasses(graph: CodeGraph) -> None:
    kinds = {(ref.source.id, ref.kind) for ref in graph.references("shop/base.py:BaseCart")}
    assert ("shop/cart.py:Cart", "inherits") in kinds
    assert ("shop/cart.py", "imports") in kinds
    assert ("shop/checkout.py:checkout", "calls") in {
        (ref.source.id, ref.kind) for ref in graph.references("shop.pricing.round_price")
    }


def test_tests_link_to_the_code_they_exercise(graph: CodeGraph) -> None:
    assert [t.id for t in graph.tests_for("Cart.total")] == ["tests/test_cart.py:test_total_applies_discount"]
    assert "tests/test_cart.py:test_total_applies_discount" in {t.id for t in graph.tests_for("shop/cart.py")}


def test_enclosing_function_of_a_line(graph: CodeGraph) -> None:
    info = graph.enclosing("shop/cart.py", 13)
    assert info is not None and info.id == "shop/cart.py:Cart.total"
    assert graph.enclosing("shop/cart.py", 1) is None


def test_a_syntax_error_is_reported_and_the_rest_still_indexed(graph: CodeGraph) -> None:
    assert graph.stats.syntax_errors == {"shop/broken.py": [5]}
    assert graph.definition("fine_after")[0].path == "shop/broken.py"
    assert [i.id for i, _ in graph.callees("fine_after")] == ["shop/broken.py:fine_before"]


def test_search_ranks_exact_names_first(graph: CodeGraph) -> None:
    found = graph.search_symbols("cart")
    assert found[0].id == "shop/cart.py:Cart"
    assert {"shop/base.py:BaseCart"} <= {info.id for info in found}


def test_repo_map_fits_the_budget_and_favours_mentions(graph: CodeGraph) -> None:
    text = graph.repo_map(["apply_discount"], token_budget=40)
    assert 0 < len(text) <= 160
    assert "def apply_discount(amount, rate)" in text
    assert len(graph.repo_map(["apply_discount"], token_budget=2000)) > len(text)


def test_an_attribute_of_a_package_the_repository_lacks_is_not_linked_to_a_same_named_method(tmp_path: Path) -> None:
    (tmp_path / "cli.py").write_text(
        "import click\n\n\nclass AppGroup(click.Group):\n    def command(self, *args):\n        return args\n\n\n"
        "@click.command('run')\ndef run_command():\n    click.echo('ran')\n\n\ngroup = AppGroup()\ngroup.command('x')\n"
    )
    (tmp_path / "shell.py").write_text("def echo(text):\n    return text\n")
    graph = CodeGraph.build(tmp_path, cache_dir=None, workers=1)
    assert [ref.line for ref in graph.references("cli.py:AppGroup.command")] == [15]
    assert graph.references("shell.py:echo") == []


def test_a_called_parameter_and_file_or_path_methods_are_not_linked_by_name_to_our_methods(tmp_path: Path) -> None:
    (tmp_path / "plugins.py").write_text(
        "class Manager:\n    def register(self, plugin):\n        return plugin\n\n\n"
        "class NoInput:\n    def seek(self, offset):\n        raise OSError(offset)\n\n"
        "    def rename(self, target):\n        return target\n"
    )
    (tmp_path / "use.py").write_text(
        "def setup(register, stream):\n    register(stream)\n    stream.seek(0)\n    return stream.register(1)\n\n\n"
        "def move(path):\n    path.rename('b')\n"
    )
    graph = CodeGraph.build(tmp_path, cache_dir=None, workers=1)
    assert [(ref.source.id, ref.line) for ref in graph.references("Manager.register")] == [("use.py:setup", 4)]
    assert graph.references("NoInput.seek") == graph.references("NoInput.rename") == []


def test_a_builtin_called_by_name_is_pythons_unless_the_module_defines_or_imports_it(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "tokenize.py").write_text("def any(*choices):\n    return '|'.join(choices)\n")
    (tmp_path / "pkg" / "core.py").write_text("def check(values):\n    return any(values)\n")
    (tmp_path / "pkg" / "named.py").write_text("from pkg.tokenize import any\n\n\ndef group():\n    return any('a')\n")
    (tmp_path / "pkg" / "starred.py").write_text("from pkg.tokenize import *\n\n\ndef group():\n    return any('b')\n")
    (tmp_path / "pkg" / "own.py").write_text("def any(x):\n    return x\n\n\ndef use():\n    return any(1)\n")
    graph = CodeGraph.build(tmp_path, cache_dir=None, workers=1)
    assert sorted(ref.source.id for ref in graph.references("pkg/tokenize.py:any") if ref.kind == "calls") == [
        "pkg/named.py:group",
        "pkg/starred.py:group",
    ]
    assert [ref.source.id for ref in graph.references("pkg/own.py:any") if ref.kind == "calls"] == ["pkg/own.py:use"]
