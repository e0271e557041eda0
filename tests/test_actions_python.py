"""rename_symbol, change_signature, extract_function and add_import on a small Python repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ToolError
from tests.actions_fixtures import action_bench

SHOP = {
    "shop/__init__.py": "",
    "shop/pricing.py": (
        '"""Prices."""\n\n__all__ = ["total", "Discount"]\n\n\n'
        "def total(items, rate=1):\n    return sum(items) * rate\n\n\n"
        "class Discount:\n    def apply(self, amount):\n        return amount * 0.9\n"
    ),
    "shop/cart.py": (
        "import os\n\nfrom shop.pricing import Discount, total\n\n\n"
        "def checkout(items):\n    return Discount().apply(total(items, rate=2))\n\n\n"
        "def summary(items):\n    total = len(items)\n    return f'{total} items in {os.getcwd()}'\n"
    ),
    "shop/report.py": (
        "from shop import pricing\n\n\ndef report(items):\n    first = pricing.total(items)\n"
        "    second = pricing.total(items, 3)\n    return first + second\n"
    ),
}


def test_rename_follows_imports_calls_and_all_but_not_a_local_of_the_same_name(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, SHOP)
    answer = bench.run("rename_symbol", symbol="shop/pricing.py:total", new_name="grand_total")
    assert "3 files" in answer
    assert "def grand_total(items, rate=1)" in bench.read("shop/pricing.py")
    assert '__all__ = ["grand_total", "Discount"]' in bench.read("shop/pricing.py")
    cart = bench.read("shop/cart.py")
    assert "from shop.pricing import Discount, grand_total" in cart
    assert "grand_total(items, rate=2)" in cart
    assert "    total = len(items)\n    return f'{total} items" in cart
    assert bench.read("shop/report.py").count("pricing.grand_total(items") == 2
    [action] = bench.actions
    assert action.tool == "rename_symbol" and set(action.files()) == {
        "shop/pricing.py",
        "shop/cart.py",
        "shop/report.py",
    }
    assert bench.context.code_graph.references("shop/pricing.py:grand_total")
    assert not bench.context.code_graph.definition("shop/pricing.py:total")


def test_rename_a_method_reaches_its_callers(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, SHOP)
    bench.run("rename_symbol", symbol="Discount.apply", new_name="apply_to")
    assert "def apply_to(self, amount)" in bench.read("shop/pricing.py")
    assert "Discount().apply_to(" in bench.read("shop/cart.py")


def test_rename_refuses_dynamic_access_a_duplicate_definition_and_a_taken_name(tmp_path: Path) -> None:
    files = {
        **SHOP,
        "shop/plugins.py": "def hook(obj):\n    return getattr(obj, 'apply')\n",
        "shop/twice.py": "def helper():\n    return 1\n\n\ndef helper():\n    return 2\n",
    }
    bench = action_bench(tmp_path, files)
    with pytest.raises(ToolError, match=r"reached by name at shop/plugins.py:2"):
        bench.run("rename_symbol", symbol="Discount.apply", new_name="apply_to")
    with pytest.raises(ToolError, match=r"defined 2 times in shop/twice.py \(lines 1, 5\)"):
        bench.run("rename_symbol", symbol="shop/twice.py:helper", new_name="aid")
    with pytest.raises(ToolError, match="Discount already names something"):
        bench.run("rename_symbol", symbol="shop/pricing.py:total", new_name="Discount")
    with pytest.raises(ToolError, match="not an identifier"):
        bench.run("rename_symbol", symbol="shop/pricing.py:total", new_name="2x")
    assert bench.read("shop/pricing.py") == files["shop/pricing.py"] and not bench.actions


def test_an_ambiguous_name_is_refused_with_its_candidates(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, {**SHOP, "shop/other.py": "def total(x):\n    return x\n"})
    with pytest.raises(ToolError, match=r"defined 2 times \(.*shop/other.py:total"):
        bench.run("rename_symbol", symbol="total", new_name="grand_total")


def test_rename_without_a_code_graph_reads_the_workspace(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, SHOP, with_graph=False)
    bench.run("rename_symbol", symbol="shop/pricing.py:Discount", new_name="Rebate")
    assert "Rebate().apply(" in bench.read("shop/cart.py")


def test_change_signature_adds_removes_and_reorders_at_every_call(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, SHOP)
    with pytest.raises(ToolError, match="would follow a parameter with a default"):
        bench.run("change_signature", function="shop/pricing.py:total", add=[{"name": "currency", "value": "'EUR'"}])
    bench.run(
        "change_signature",
        function="shop/pricing.py:total",
        add=[{"name": "currency", "value": "'EUR'", "default": "None"}],
    )
    assert "def total(items, rate=1, currency=None):" in bench.read("shop/pricing.py")
    assert "total(items, rate=2, currency='EUR')" in bench.read("shop/cart.py")
    report = bench.read("shop/report.py")
    assert "pricing.total(items, currency='EUR')" in report and "pricing.total(items, 3, 'EUR')" in report
    bench.run("change_signature", function="shop/pricing.py:total", order=["items", "currency", "rate"])
    assert "def total(items, currency=None, rate=1):" in bench.read("shop/pricing.py")
    assert "total(items, rate=2, currency='EUR')" in bench.read("shop/cart.py")
    assert "pricing.total(items, 'EUR', 3)" in bench.read("shop/report.py")
    bench.run("change_signature", function="shop/pricing.py:total", remove=["currency"])
    assert "def total(items, rate=1):" in bench.read("shop/pricing.py")
    assert "total(items, rate=2))" in bench.read("shop/cart.py")
    assert "pricing.total(items)\n" in bench.read("shop/report.py")
    assert "pricing.total(items, 3)" in bench.read("shop/report.py")
    assert [action.tool for action in bench.actions] == ["change_signature"] * 3


def test_change_signature_renames_a_parameter_in_keyword_calls(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, SHOP)
    bench.run("change_signature", function="shop/pricing.py:total", rename={"rate": "factor"})
    assert "def total(items, factor=1):\n    return sum(items) * factor" in bench.read("shop/pricing.py")
    assert "total(items, factor=2)" in bench.read("shop/cart.py")


def test_change_signature_refuses_removing_a_parameter_the_body_uses(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, SHOP)
    with pytest.raises(ToolError, match="body still uses rate"):
        bench.run("change_signature", function="shop/pricing.py:total", remove=["rate"])


def test_extract_function_infers_parameters_and_calls_it(tmp_path: Path) -> None:
    files = {"calc.py": "def area(w, h):\n    base = w * h\n    doubled = base * 2\n    return doubled + 1\n"}
    bench = action_bench(tmp_path, files)
    bench.run("extract_function", path="calc.py", start_line=2, end_line=3, name="doubled_area")
    text = bench.read("calc.py")
    assert "doubled = doubled_area(w, h)" in text and "def doubled_area(w, h):" in text
    namespace: dict[str, object] = {}
    exec(compile(text, "calc.py", "exec"), namespace)
    assert namespace["area"](2, 3) == 13  # type: ignore[operator]


def test_add_import_joins_the_existing_import_or_takes_its_sorted_place(tmp_path: Path) -> None:
    files = {
        **SHOP,
        "shop/tax.py": "def vat(x):\n    return x\n",
        "shop/zeta.py": "def last():\n    return 0\n",
    }
    bench = action_bench(tmp_path, files)
    bench.run("add_import", path="shop/cart.py", name="vat")
    cart = bench.read("shop/cart.py")
    assert "from shop.pricing import Discount, total\nfrom shop.tax import vat\n" in cart
    bench.run("add_import", path="shop/report.py", name="last")
    assert bench.read("shop/report.py").startswith("from shop import pricing\nfrom shop.zeta import last\n")
    with pytest.raises(ToolError, match="already imported"):
        bench.run("add_import", path="shop/cart.py", name="vat")


def test_add_import_writes_a_relative_import_where_the_file_uses_them(tmp_path: Path) -> None:
    files = {**SHOP, "shop/views.py": "from .cart import checkout\n\n\ndef page(items):\n    return checkout(items)\n"}
    bench = action_bench(tmp_path, files)
    bench.run("add_import", path="shop/views.py", name="Discount")
    assert bench.read("shop/views.py").startswith("from .cart import checkout\nfrom .pricing import Discount\n")


def test_extract_refuses_lines_that_are_not_whole_statements(tmp_path: Path) -> None:
    files = {"calc.py": "def area(w, h):\n    return (w *\n            h)\n"}
    bench = action_bench(tmp_path, files)
    with pytest.raises(ToolError, match=r"cannot extract lines 2-2 of calc\.py"):
        bench.run("extract_function", path="calc.py", start_line=2, end_line=2, name="part")
    assert bench.read("calc.py") == files["calc.py"]


def test_rename_in_a_src_layout_reaches_the_tests(tmp_path: Path) -> None:
    files = {
        "src/shop/__init__.py": "",
        "src/shop/pricing.py": "def total(items):\n    return sum(items)\n",
        "tests/__init__.py": "",
        "tests/test_pricing.py": "from shop.pricing import total\n\n\ndef test_total():\n    assert total([1]) == 1\n",
    }
    bench = action_bench(tmp_path, files)
    bench.run("rename_symbol", symbol="src/shop/pricing.py:total", new_name="grand_total")
    assert "from shop.pricing import grand_total" in bench.read("tests/test_pricing.py")


def test_overloads_are_one_definition_for_rename(tmp_path: Path) -> None:
    files = {
        "conv.py": (
            "from typing import overload\n\n\n@overload\ndef conv(x: int) -> int: ...\n@overload\n"
            "def conv(x: str) -> str: ...\ndef conv(x):\n    return x\n"
        ),
        "use.py": "from conv import conv\n\nprint(conv(1))\n",
    }
    bench = action_bench(tmp_path, files)
    bench.run("rename_symbol", symbol="conv.py:conv", new_name="convert")
    assert bench.read("conv.py").count("def convert(") == 3 and "convert(1)" in bench.read("use.py")


def test_a_method_rename_takes_its_overrides_along(tmp_path: Path) -> None:
    files = {
        "base.py": "class Base:\n    def run_step(self):\n        return 1\n",
        "child.py": (
            "from base import Base\n\n\nclass Child(Base):\n    def run_step(self):\n        return 2\n\n\n"
            "def go(item: Child):\n    return Child().run_step()\n"
        ),
    }
    bench = action_bench(tmp_path, files)
    bench.run("rename_symbol", symbol="base.py:Base.run_step", new_name="perform")
    child = bench.read("child.py")
    assert "def perform(self):\n        return 2" in child and "Child().perform()" in child


def test_change_signature_adds_keyword_only_after_star_args_and_positional_before_keyword_only(tmp_path: Path) -> None:
    files = {
        "a.py": "def g(a, *rest, **options):\n    return a, rest\n\n\ndef k(a, *, b=1):\n    return a + b\n",
        "b.py": "from a import g, k\n\ng(1, 2)\nk(1, b=2)\ng(3)\n\n\ndef h(args, kw):\n    return g(*args, **kw)\n",
    }
    bench = action_bench(tmp_path, files)
    bench.run("change_signature", function="a.py:g", add=[{"name": "new", "value": "7", "default": "None"}])
    assert "def g(a, *rest, new=None, **options):" in bench.read("a.py")
    assert "g(1, 2, new=7)\nk(1, b=2)\ng(3, new=7)\n" in bench.read("b.py")
    assert "return g(*args, new=7, **kw)\n" in bench.read("b.py")
    with pytest.raises(ToolError, match=r"b.py:9: its \*args argument may now fill first"):
        bench.run("change_signature", function="a.py:g", add=[{"name": "first", "value": "0", "position": 1}])
    bench.run("change_signature", function="a.py:k", add=[{"name": "new", "value": "7", "default": "None"}])
    assert "def k(a, new=None, *, b=1):" in bench.read("a.py") and "k(1, 7, b=2)\n" in bench.read("b.py")


def test_a_package_added_after_a_rename_is_reached_by_the_next_one(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, SHOP)
    bench.run("rename_symbol", symbol="shop/pricing.py:total", new_name="grand_total")
    added = {
        "extra/__init__.py": "",
        "extra/use.py": "from shop.pricing import grand_total\n\nTOTAL = grand_total([1])\n",
    }
    for path, text in added.items():
        bench.workspace.write_file(path, text)
        bench.context.file_changed(path)
    bench.run("rename_symbol", symbol="shop/pricing.py:grand_total", new_name="overall")
    assert bench.read("extra/use.py") == "from shop.pricing import overall\n\nTOTAL = overall([1])\n"


ROPE_UNREADABLE = (
    "from lib import helper\n\n\nclass TestThing:\n    def test_one(self, tmp):\n"
    '        example = tmp / "example"\n        text = f"""\n'
    "            found = {{str(i) for i in range(3)}}\n            assert found == {{{str(example)!r}}}\n"
    '        """\n        return helper(text)\n'
)


def test_a_file_whose_nested_f_strings_rope_could_not_tokenize_is_renamed(tmp_path: Path) -> None:
    files = {
        "lib.py": "def helper(v):\n    return v\n",
        "use.py": ROPE_UNREADABLE,
        "other.py": "import lib\n\nlib.helper(2)\n",
    }
    bench = action_bench(tmp_path, files)
    answer = bench.run("rename_symbol", symbol="lib.py:helper", new_name="aid")
    assert "use.py: lines 1, 11" in answer and "rope could not read" not in answer
    assert bench.read("use.py") == ROPE_UNREADABLE.replace("helper", "aid")
    assert bench.read("other.py") == "import lib\n\nlib.aid(2)\n" and "def aid(v)" in bench.read("lib.py")


WEB = {
    "web/__init__.py": "",
    "web/api.py": "def request(method, url):\n    return (method, url)\n",
    "web/models.py": "class Response:\n    def __init__(self):\n        self.request = None\n",
    "web/errors.py": (
        "class Failure(Exception):\n    def __init__(self, response=None):\n"
        "        self.has_request = hasattr(response, 'request') or hasattr(self, 'request')\n"
    ),
    "web/client.py": "from web import api\n\n\ndef fetch(url):\n    return api.request('GET', url)\n",
}


def test_a_string_attribute_of_other_objects_does_not_block_renaming_a_module_function(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, WEB)
    bench.run("rename_symbol", symbol="web/api.py:request", new_name="send")
    assert "api.send('GET', url)" in bench.read("web/client.py")
    assert "hasattr(response, 'request')" in bench.read("web/errors.py")


def test_a_string_reaching_the_module_still_blocks_renaming_its_function(tmp_path: Path) -> None:
    plugins = "import sys\n\nfrom web import api\n\nHOOK = getattr(api, 'request')\n"
    here = "import sys\n\n\ndef look(name):\n    return hasattr(sys.modules[__name__], 'request')\n"
    for extra in (plugins, here):
        bench = action_bench(tmp_path / str(len(extra)), {**WEB, "web/plugins.py": extra})
        with pytest.raises(ToolError, match=r"reached by name at web/plugins.py:5"):
            bench.run("rename_symbol", symbol="web/api.py:request", new_name="send")
    unknown = "def call(module):\n    return getattr(module, 'fetch')()\n"
    bench = action_bench(tmp_path / "unknown", {**WEB, "web/plugins.py": unknown})
    with pytest.raises(ToolError, match=r"reached by name at web/plugins.py:2"):
        bench.run("rename_symbol", symbol="web/client.py:fetch", new_name="get_url")


def test_a_keyword_argument_of_the_same_name_is_not_renamed_with_a_method(tmp_path: Path) -> None:
    adapter = (
        "from urllib3 import proxy_from_url\n\n\nclass Adapter:\n    def proxy_headers(self, proxy):\n"
        "        return {'p': proxy}\n\n    def manager(self, proxy):\n"
        "        proxy_headers = self.proxy_headers(proxy)\n"
        "        return proxy_from_url(proxy, proxy_headers=proxy_headers)\n"
    )
    bench = action_bench(
        tmp_path, {"adapter.py": adapter, "use.py": "from adapter import Adapter\n\nAdapter().proxy_headers('x')\n"}
    )
    bench.run("rename_symbol", symbol="Adapter.proxy_headers", new_name="headers_for")
    assert bench.read("adapter.py") == adapter.replace("def proxy_headers", "def headers_for").replace(
        "self.proxy_headers(", "self.headers_for("
    )
    assert bench.read("use.py") == "from adapter import Adapter\n\nAdapter().headers_for('x')\n"


def test_a_method_overriding_an_installed_packages_method_is_not_renamed(tmp_path: Path) -> None:
    manager = (
        "import pluggy\n\n\nclass Manager(pluggy.PluginManager):\n    def register(self, plugin, name=None):\n"
        "        return super().register(plugin, name)\n"
    )
    bench = action_bench(tmp_path, {"pm.py": manager, "use.py": "from pm import Manager\n\nManager('x').register(1)\n"})
    with pytest.raises(ToolError, match=r"Manager.register overrides PluginManager.register, which is not in the"):
        bench.run("rename_symbol", symbol="pm.py:Manager.register", new_name="add")
    assert bench.read("pm.py") == manager and not bench.actions
