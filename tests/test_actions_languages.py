"""rename_symbol in JavaScript, TypeScript, Java and Go through the code graph and tree-sitter identifiers;
add_import in JavaScript and Java; the Python-only actions refuse other languages clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ToolError
from tests.actions_fixtures import action_bench

JS = {
    "src/price.js": "export function total(items) {\n  return items.length;\n}\n",
    "src/cart.js": (
        'import { total } from "./price";\n\n'
        "export function checkout(items) {\n  return total(items) + 1;\n}\n\n"
        "export function summary(items) {\n  const total = items.length;\n  return `${total} items`;\n}\n"
    ),
}
TS = {
    "src/shape.ts": "export class Shape {\n  area(): number {\n    return 0;\n  }\n}\n",
    "src/use.ts": (
        "import { Shape } from './shape';\n\n"
        "export function describe(shape: Shape): string {\n  return String(shape.area());\n}\n\n"
        "export function make(): Shape {\n  return new Shape();\n}\n"
    ),
}
JAVA = {
    "src/shop/Pricing.java": (
        "package shop;\n\npublic class Pricing {\n"
        "    public static int total(int items) {\n        return items * 2;\n    }\n}\n"
    ),
    "src/shop/Cart.java": (
        "package shop;\n\npublic class Cart {\n"
        "    public int checkout(int total) {\n        return Pricing.total(total) + total;\n    }\n}\n"
    ),
}
GO = {
    "go.mod": "module example.com/shop\n\ngo 1.21\n",
    "pricing/pricing.go": "package pricing\n\nfunc Total(items int) int {\n\treturn items * 2\n}\n",
    "main.go": (
        'package main\n\nimport "example.com/shop/pricing"\n\n'
        "func checkout(items int) int {\n\treturn pricing.Total(items)\n}\n\n"
        "func other() int {\n\tTotal := 3\n\treturn Total\n}\n"
    ),
}


def test_javascript_rename_follows_the_import_and_leaves_a_local_alone(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, JS)
    answer = bench.run("rename_symbol", symbol="src/price.js:total", new_name="grandTotal")
    assert "2 files" in answer
    assert "export function grandTotal(items)" in bench.read("src/price.js")
    cart = bench.read("src/cart.js")
    assert 'import { grandTotal } from "./price";' in cart and "return grandTotal(items) + 1;" in cart
    assert "const total = items.length;\n  return `${total} items`;" in cart
    assert bench.actions[0].tool == "rename_symbol"


def test_typescript_rename_of_a_class_reaches_types_and_constructors(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, TS)
    bench.run("rename_symbol", symbol="src/shape.ts:Shape", new_name="Figure")
    use = bench.read("src/use.ts")
    assert "import { Figure } from './shape';" in use
    assert "describe(shape: Figure): string" in use and "make(): Figure" in use and "new Figure()" in use


def test_typescript_method_rename_changes_member_calls(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, TS)
    bench.run("rename_symbol", symbol="src/shape.ts:Shape.area", new_name="surface")
    assert "surface(): number" in bench.read("src/shape.ts")
    assert "shape.surface()" in bench.read("src/use.ts")


def test_java_method_rename_leaves_a_parameter_of_the_same_name(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, JAVA)
    bench.run("rename_symbol", symbol="src/shop/Pricing.java:Pricing.total", new_name="sum")
    assert "public static int sum(int items)" in bench.read("src/shop/Pricing.java")
    assert "return Pricing.sum(total) + total;" in bench.read("src/shop/Cart.java")


def test_go_rename_follows_package_qualified_calls_and_leaves_a_local(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, GO)
    bench.run("rename_symbol", symbol="pricing/pricing.go:Total", new_name="Sum")
    assert "func Sum(items int) int" in bench.read("pricing/pricing.go")
    main = bench.read("main.go")
    assert "return pricing.Sum(items)" in main and "Total := 3\n\treturn Total" in main


def test_a_name_spelt_in_a_string_is_refused(tmp_path: Path) -> None:
    files = {**JS, "src/lookup.js": 'import { total } from "./price";\nexport const f = (m) => m["total"];\n'}
    bench = action_bench(tmp_path, files)
    with pytest.raises(ToolError, match=r"spelt as a string in src/lookup.js \(line 2\)"):
        bench.run("rename_symbol", symbol="src/price.js:total", new_name="grandTotal")
    assert bench.read("src/price.js") == JS["src/price.js"]


def test_add_import_in_javascript_and_java(tmp_path: Path) -> None:
    files = {
        **JS,
        "src/tax.js": "export function vat(x) {\n  return x;\n}\n",
        **JAVA,
        "src/util/Money.java": "package util;\n\npublic class Money {\n}\n",
    }
    bench = action_bench(tmp_path, files)
    bench.run("add_import", path="src/cart.js", name="vat")
    assert bench.read("src/cart.js").startswith('import { total } from "./price";\nimport { vat } from "./tax";\n')
    bench.run("add_import", path="src/shop/Cart.java", name="Money")
    assert bench.read("src/shop/Cart.java").startswith("package shop;\n\nimport util.Money;\n")


def test_python_only_actions_say_so_for_other_languages(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, JS)
    with pytest.raises(ToolError, match="Python functions and methods only"):
        bench.run("change_signature", function="src/price.js:total", remove=["items"])
    with pytest.raises(ToolError, match="Python files only"):
        bench.run("extract_function", path="src/cart.js", start_line=4, end_line=4, name="f")


def test_a_javascript_function_defined_twice_is_refused(tmp_path: Path) -> None:
    files = {**JS, "src/price.js": JS["src/price.js"] + "export function total(items) {\n  return 0;\n}\n"}
    bench = action_bench(tmp_path, files)
    with pytest.raises(ToolError, match=r"defined 2 times in src/price\.js \(lines 1, 4\)"):
        bench.run("rename_symbol", symbol="src/price.js:total", new_name="grandTotal")
