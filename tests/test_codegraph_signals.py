"""What the localizer learns from an issue as a developer would, each on a repository of a few files."""

from __future__ import annotations

from pathlib import Path

from memory.codegraph import CodeGraph, Localization, localize
from memory.codegraph.reach import reached

CART = '''class Cart:
    """Line items of one order."""

    def __init__(self):
        self.items = []

    def total(self):
        """Sum of the line items."""
        return sum(price for _, price in self.items)
'''
PRICING = '''def apply_discount(amount, rate):
    """Reduce an amount by a rate."""
    return amount * (1 - rate)
'''


def _repository(root: Path, files: dict[str, str]) -> CodeGraph:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1") if relative.endswith("latin.py") else text.encode())
    return CodeGraph.build(root, cache_dir=None)


def _functions(result: Localization) -> list[str]:
    return [function.id for function in result.functions]


def test_environment_listings_in_an_issue_do_not_steer_the_ranking(tmp_path: Path) -> None:
    graph = _repository(tmp_path, {"shop/cart.py": CART, "shop/pricing.py": PRICING})
    listing = "Package    Version\n---------- -------\npricing    2.0.1\ndiscount   1.4\napply      0.3\nrate       1.0"
    issue = (
        f"Totals are wrong for carts holding items\n\nThe sum of the items is off.\n\n```\n$ pip list\n{listing}\n```\n"
    )
    result = localize(graph, issue, top_k=3)
    assert [file.path for file in result.files] == ["shop/cart.py"]
    assert "shop/pricing.py:apply_discount" not in _functions(result)


def test_a_projects_report_of_installed_versions_does_not_steer_the_ranking(tmp_path: Path) -> None:
    versions = '''def show_versions():
    """Print the versions of numpy, pandas, scipy, netcdf4, setuptools, pip and python."""
    for name in ("numpy", "pandas", "scipy", "netcdf4", "setuptools", "pip"):
        print(name)
'''
    graph = _repository(tmp_path, {"shop/versions.py": versions, "shop/cart.py": CART})
    report = "commit: None\npython: 3.8.6 | packaged by conda-forge\nnumpy: 1.19.4\npandas: 1.1.5\nscipy: 1.5.3\n"
    report += "netcdf4: 1.5.4\nsetuptools: 49.6.0.post20200814\npip: 20.3.1\n"
    issue = f"Totals ignore items\n\nThe sum of the items is off.\n\n```\n{report}```\n"
    result = localize(graph, issue, top_k=3)
    assert [file.path for file in result.files] == ["shop/cart.py"]


def test_the_heading_and_rows_of_a_version_report_do_not_steer_the_ranking(tmp_path: Path) -> None:
    versions = (
        "def show_versions():\n    for key in ('OS', 'machine', 'processor', 'byteorder', 'LANG', 'LOCALE'):\n"
        "        print(key)\n"
    )
    graph = _repository(tmp_path, {"shop/print_versions.py": versions, "shop/cart.py": CART})
    report = (
        "#### Output of ``shop.show_versions()``\n<details>\nINSTALLED VERSIONS\n------------------\n"
        "commit: 69c7e01e5167a3137c285cb50d1978252bb8bcbf\npython: 3.8.6 | packaged by conda-forge\n"
        "[GCC 7.3.0]\npython-bits: 64\nOS: Linux\nmachine: x86_64\nprocessor: x86_64\nbyteorder: little\n"
        "LANG: en_US.UTF-8\nLOCALE: en_US.UTF-8\nnumpy: 1.19.4\npandas: 1.1.5\nscipy: 1.5.3\n</details>\n"
    )
    issue = f"Totals ignore items\n\nThe sum of the items is off.\n\n{report}"
    result = localize(graph, issue, top_k=3)
    assert [file.path for file in result.files] == ["shop/cart.py"]
    assert "shop/print_versions.py:show_versions" not in _functions(result)


def test_a_message_of_the_code_shown_in_the_output_points_at_its_function(tmp_path: Path) -> None:
    checks = '''def compare(left, right):
    extra = len(right) - len(left)
    if extra:
        return ["%s side has %d extra items beyond the expected ones" % ("Right", extra)]
    return []


def describe(items):
    """Describe the extra items of a comparison."""
    return ", ".join(items)
'''
    graph = _repository(tmp_path, {"checks.py": checks, "shop/cart.py": CART})
    output = ">   assert a == b\nE   Right side has 2 extra items beyond the expected ones"
    issue = f"Confusing comparison output\n\n```\n{output}\n```\n"
    result = localize(graph, issue, top_k=3)
    assert _functions(result)[0] == "checks.py:compare"
    assert result.functions[0].reason.startswith("its message is in the issue")


def test_functions_a_named_one_calls_share_its_weight_by_their_own_match(tmp_path: Path) -> None:
    client = """from transport.payload import join_chunks


def fetch(url, decode=False):
    return join_chunks([url]) if decode else url
"""
    payload = """def join_chunks(chunks):
    return read_encoding(b"".join(chunks))


def read_encoding(data):
    return data


def unrelated(data):
    return data
"""
    graph = _repository(tmp_path, {"transport/client.py": client, "transport/payload.py": payload})
    lexical = {"transport/payload.py:join_chunks": 0.4, "transport/payload.py:read_encoding": 0.8}
    lexical["transport/payload.py:unrelated"] = 0.9
    found = reached(graph, {"transport/client.py:fetch": 1.5}, lexical)
    assert found == {
        "transport/payload.py:join_chunks": (1.5 * 0.4, "reached from fetch in 1 call"),
        "transport/payload.py:read_encoding": (1.5 * 0.8 / 2, "reached from fetch in 2 calls"),
    }


def test_callers_of_a_named_function_share_its_weight_by_their_own_match(tmp_path: Path) -> None:
    outcomes = "def skip_test(reason):\n    raise RuntimeError(reason)\n"
    hooks = """from outcomes import skip_test


def run_setup(item):
    skip_test("marked")


def report(item):
    skip_test("reported")
"""
    graph = _repository(tmp_path, {"outcomes.py": outcomes, "hooks.py": hooks})
    found = reached(graph, {"outcomes.py:skip_test": 1.5}, {"hooks.py:run_setup": 0.6})
    assert found == {"hooks.py:run_setup": (1.5 * 0.6, "calls skip_test")}


def test_an_attribute_the_issue_uses_points_at_the_functions_storing_and_reading_it(tmp_path: Path) -> None:
    marks = """def stored_marks(obj):
    return getattr(obj, "pytestmark", [])


def store_mark(obj, mark):
    obj.pytestmark = [*stored_marks(obj), mark]


def mark_names(marks):
    return [mark.name for mark in marks]
"""
    graph = _repository(tmp_path, {"marks.py": marks, "shop/cart.py": CART})
    issue = (
        "Marks of base classes are lost\n\n```python\nclass Base:\n    @property\n    def pytestmark(self):\n"
        "        return self._marks\n\n    @pytestmark.setter\n    def pytestmark(self, value):\n"
        "        self._marks = value\n```\n"
    )
    reasons = {function.id: function.reason for function in localize(graph, issue, top_k=5).functions}
    for user in ("marks.py:stored_marks", "marks.py:store_mark"):
        assert reasons.get(user) == "uses pytestmark, which the issue names", (user, reasons)
    assert reasons.get("marks.py:mark_names", "").startswith("uses") is False


def test_an_english_word_in_the_issues_code_names_a_method_less_surely_than_a_call(tmp_path: Path) -> None:
    capture = "class Capture:\n    @property\n    def buffer(self):\n        return self._lines\n"
    graph = _repository(tmp_path, {"capture.py": capture, "shop/cart.py": CART})

    def score(issue: str) -> float:
        found = {f.id: f.score for f in localize(graph, issue, top_k=5).functions}
        return found["capture.py:Capture.buffer"]

    as_word = score("Output goes missing\n\n```\nwrote lines to the buffer of out\n```\n")
    as_attribute = score("Output goes missing\n\n```python\nwrote = lines(out.buffer)\n```\n")
    assert as_attribute > as_word + 0.2


def test_the_issues_imports_and_variables_say_which_class_a_method_belongs_to(tmp_path: Path) -> None:
    invoice = "class Invoice:\n    def total(self):\n        return 0\n"
    graph = _repository(
        tmp_path,
        {"shop/__init__.py": "from .cart import Cart as Basket\n", "shop/cart.py": CART, "shop/invoice.py": invoice},
    )
    issue = "Wrong total\n\n```python\nimport shop as s\nbasket = s.Basket()\nprint(basket.total())\n```\n"
    scores = {function.id: function.score for function in localize(graph, issue, top_k=5).functions}
    assert scores["shop/cart.py:Cart.total"] > scores.get("shop/invoice.py:Invoice.total", 0.0) + 1.0


def test_the_conventional_short_name_of_the_package_says_which_function_the_issues_code_calls(
    tmp_path: Path,
) -> None:
    concat = "def concat(objects, dim):\n    return objects\n"
    variable = (
        "class Variable:\n    def concat(self, others):\n        return self\n\n\n"
        "def concat(items):\n    return items\n"
    )
    graph = _repository(
        tmp_path,
        {
            "xarray/__init__.py": "from .core.combine import concat\n",
            "xarray/core/combine.py": concat,
            "xarray/core/variable.py": variable,
        },
    )
    issue = "Joining changes the order\n\n```python\nds2 = xr.concat([ds, ds], dim='c')\n```\n"
    functions = localize(graph, issue, top_k=5).functions
    assert functions[0].id == "xarray/core/combine.py:concat"
    assert functions[0].reason == "used by the issue's code: xr.concat"


def test_str_of_an_object_points_at_the_named_class_str_method(tmp_path: Path) -> None:
    report = """class Report:
    def __init__(self, lines):
        self.lines = lines

    @property
    def summary(self):
        return self.lines[0]

    def __str__(self):
        return self.lines[-1]


class Other:
    def __str__(self):
        return "other"
"""
    graph = _repository(tmp_path, {"report.py": report})
    issue = (
        "str() differs from the summary\n\n```python\nprint(str(r))  # last line\nprint(r.summary)  # first line\n```\n"
    )
    functions = _functions(localize(graph, issue, top_k=5))
    assert "report.py:Report.__str__" in functions[:2]
    assert "report.py:Other.__str__" not in functions[:2]


def test_python_builtins_in_the_issues_code_are_not_the_repositorys_methods(tmp_path: Path) -> None:
    registry = (
        "class Registry:\n    def list(self):\n        return []\n\n    def register(self, name):\n        pass\n"
    )
    graph = _repository(tmp_path, {"registry.py": registry, "shop/cart.py": CART})
    issue = "Cart totals ignore items\n\n```python\nnames = list(cart.items)\nprint(cart.total())\n```\n"
    reasons = [function.reason for function in localize(graph, issue, top_k=5).functions]
    assert "named in the issue: list" not in reasons


def test_plurals_in_the_issue_match_singular_names(tmp_path: Path) -> None:
    graph = _repository(tmp_path, {"shop/cart.py": CART, "shop/pricing.py": PRICING})
    result = localize(graph, "Negative rates make discounts grow amounts", top_k=3)
    assert _functions(result)[0] == "shop/pricing.py:apply_discount"


def test_a_file_that_is_not_utf8_is_indexed_with_its_messages(tmp_path: Path) -> None:
    message = "%s: names are not allowed in the orders of this shop"
    latin = f'# caf\xe9\ndef check(name):\n    raise ValueError("{message}" % name)\n'
    graph = _repository(tmp_path, {"latin.py": latin, "shop/cart.py": CART})
    assert graph.definition("check")
    issue = "Ordering fails\n\nIt says: cafe: names are not allowed in the orders of this shop"
    result = localize(graph, issue, top_k=3)
    assert _functions(result)[0] == "latin.py:check"
    assert result.functions[0].reason.startswith("its message is in the issue")


def test_a_warning_that_points_at_a_line_names_the_function_holding_it(tmp_path: Path) -> None:
    loader = '''import sys


def load(name):
    """Import a module by name."""
    return __import__(name)


def member(module_name, name):
    """Look an attribute up on an imported module."""
    module = sys.modules[module_name]
    return getattr(module, name)
'''
    graph = _repository(tmp_path, {"shop/loader.py": loader, "shop/cart.py": CART, "shop/pricing.py": PRICING})
    issue = (
        "Warnings when a module is imported by name\n\nImporting the module prints:\n\n```\n"
        "/home/me/venv/lib/python3.10/site-packages/shop/loader.py:12: FutureWarning: np.long is deprecated\n```\n"
    )
    result = localize(graph, issue, top_k=3)
    assert result.functions[0].id == "shop/loader.py:member"
    assert result.functions[0].reason == "the issue points at line 12"
    assert result.files[0].path == "shop/loader.py"


def test_a_link_to_a_line_of_the_repository_names_the_function_there_and_a_link_elsewhere_names_nothing(
    tmp_path: Path,
) -> None:
    printer = (
        "class StrPrinter:\n"
        + "".join(f"    def _print_{name}(self, expr):\n        return str(expr)\n\n" for name in "ABCDEFGH")
        + "    def _print_Quantity(self, expr):\n        return expr.name\n"
    )
    units = "def convert(quantity):\n    return quantity\n"
    graph = _repository(tmp_path, {"pkg/printing/str.py": printer, "pkg/units.py": units, "shop/cart.py": CART})
    issue = (
        "Printing should use the short form of quantities\n\nIt prints `meter` where `m` would do. It would be easy "
        "to change here: https://github.com/owner/pkg/blob/8e962a3/pkg/printing/str.py#L{line}\n"
    )
    line = printer.splitlines().index("    def _print_Quantity(self, expr):") + 2
    result = localize(graph, issue.format(line=line), top_k=3)
    assert result.functions[0].id == "pkg/printing/str.py:StrPrinter._print_Quantity"
    assert result.functions[0].reason == f"the issue links to line {line}"
    assert result.files[0].path == "pkg/printing/str.py"
    elsewhere = issue.format(line=line).replace("/pkg/printing/str.py", "/other/printing/str.py")
    reasons = [function.reason for function in localize(graph, elsewhere).functions]
    assert f"the issue links to line {line}" not in reasons


def test_a_class_the_issue_names_points_at_the_methods_dispatched_by_its_name(tmp_path: Path) -> None:
    printers = {
        f"pkg/printing/{kind}.py": f"class {kind.title()}Printer:\n"
        + "".join(
            f"    def _print_{name}(self, expr):\n        return '{kind}' + str(expr.args)\n\n"
            for name in ("Add", "Mul", "Pow", "SeqFormula")
        )
        for kind in ("latex", "mathml", "code")
    }
    sequences = (
        "class SeqFormula:\n    def __init__(self, formula):\n        self.formula = formula\n\n"
        "    def coeff(self, index):\n        return self.formula(index)\n"
    )
    graph = _repository(tmp_path, {**printers, "pkg/series/sequences.py": sequences, "shop/cart.py": CART})
    issue = "Display of SeqFormula() in latex\n\n`SeqFormula(n**2)` renders its brackets escaped in the latex output.\n"
    result = localize(graph, issue, top_k=5)
    reasons = {function.id: function.reason for function in result.functions}
    others = [
        "pkg/printing/code.py:CodePrinter._print_SeqFormula",
        "pkg/printing/mathml.py:MathmlPrinter._print_SeqFormula",
    ]
    assert all(reasons.get(handler) == "handles SeqFormula, which the issue names" for handler in others)
    ranked = _functions(result)
    assert all(ranked.index("pkg/printing/latex.py:LatexPrinter._print_SeqFormula") < ranked.index(h) for h in others)
    assert [file.path for file in result.files[:2]] == ["pkg/series/sequences.py", "pkg/printing/latex.py"]


def test_a_test_file_the_issue_links_points_at_the_module_it_is_named_after(tmp_path: Path) -> None:
    unparse = "def unparse(node):\n    return str(node)\n"
    graph = _repository(
        tmp_path,
        {
            "pkg/pycode/ast.py": unparse,
            "pkg/pycode/parser.py": "def parse(source):\n    return source\n",
            "tests/test_pycode_ast.py": "from pkg.pycode.ast import unparse\n\ndef test_unparse():\n    unparse(1)\n",
            "shop/cart.py": CART,
        },
    )
    issue = (
        "1-element tuple rendered incorrectly\n\n`(1,)` is rendered as `(1)`. Add a case at "
        "https://github.com/owner/pkg/blob/0123abc/tests/test_pycode_ast.py#L57\n"
    )
    files = {file.path: file.reason for file in localize(graph, issue, top_k=5).files}
    assert files["pkg/pycode/ast.py"] == "the issue names its tests: tests/test_pycode_ast.py"
    assert next(iter(files)) == "pkg/pycode/ast.py"


def test_a_setting_the_issue_assigns_points_at_the_functions_reading_it(tmp_path: Path) -> None:
    typehints = '''def merge_typehints(app, node):
    """Merge the annotations into the description."""
    if app.config.autodoc_typehints != "description":
        return
    node.extend(app.annotations)
'''
    graph = _repository(
        tmp_path,
        {"ext/typehints.py": typehints, "ext/signature.py": "def format_signature(obj):\n    return repr(obj)\n"},
    )
    issue = '`autodoc_typehints = "description"` shows a return type for classes\n\nSee the rendered signature.'
    functions = localize(graph, issue, top_k=3).functions
    assert functions[0].id == "ext/typehints.py:merge_typehints"
    assert functions[0].reason == "uses autodoc_typehints, which the issue names"
