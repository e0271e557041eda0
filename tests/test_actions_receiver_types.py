"""A method rename reads the classes the code declares for an object rope cannot type: a `hasattr` on an object of
other classes does not block it, and calls through a declared attribute or a loop over a collected list follow it."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ToolError
from tests.actions_fixtures import action_bench

REPORTS = {
    "reports.py": (
        "from typing import cast\n\n\nclass Repr:\n    def toterminal(self, out):\n        out.append('repr')\n\n\n"
        "class Report:\n    longrepr: 'Repr | str | None'\n\n    def __init__(self, longrepr):\n"
        "        self.longrepr = longrepr\n\n    def toterminal(self, out):\n        longrepr = self.longrepr\n"
        "        if hasattr(longrepr, 'toterminal'):\n            cast(Repr, longrepr).toterminal(out)\n"
        "        else:\n            out.append(str(longrepr))\n\n\n"
        "def to_json(report: Report):\n    return {'terminal': hasattr(report.longrepr, 'toterminal')}\n"
    ),
    "runner.py": (
        "from reports import Repr, Report\n\n\nclass Collector:\n    def repr_failure(self) -> 'str | Repr':\n"
        "        return Repr()\n\n\ndef make_report(collector: Collector) -> Report:\n"
        "    info = collector.repr_failure()\n    if not hasattr(info, 'toterminal'):\n        info = Repr()\n"
        "    return Report(info)\n\n\ndef show(report: Report, out):\n    report.toterminal(out)\n"
    ),
}


def test_hasattr_on_objects_declared_of_other_classes_does_not_block_a_method_rename(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, REPORTS)
    bench.run("rename_symbol", symbol="reports.py:Report.toterminal", new_name="write_to")
    reports = bench.read("reports.py")
    assert "    def write_to(self, out):\n        longrepr = self.longrepr" in reports
    assert reports.count("hasattr(") == 2 and reports.count("'toterminal'") == 2
    assert "cast(Repr, longrepr).toterminal(out)" in reports and "def toterminal(self, out):\n        out." in reports
    assert bench.read("runner.py") == REPORTS["runner.py"].replace("report.toterminal(out)", "report.write_to(out)")


@pytest.mark.parametrize(
    "plugin",
    [
        "def wants(obj):\n    return hasattr(obj, 'toterminal')\n",
        "from reports import Report\n\n\ndef wants(report: Report):\n    return hasattr(report, 'toterminal')\n",
        "class Base:\n    pass\n\n\ndef wants(item: Base):\n    return hasattr(item, 'toterminal')\n",
        "from reports import Repr\n\n\ndef wants(item: Repr):\n    while item:\n        item = item.parent\n"
        "    return hasattr(item, 'toterminal')\n",
    ],
    ids=["unknown object", "the class itself", "a base of the class", "a value read from itself"],
)
def test_hasattr_on_an_object_that_may_be_the_class_still_blocks_it(tmp_path: Path, plugin: str) -> None:
    files = {**REPORTS, "plugin.py": plugin}
    if "class Base" in plugin:
        files["reports.py"] = "from plugin import Base\n" + files["reports.py"].replace(
            "class Report:", "class Report(Base):"
        )
    bench = action_bench(tmp_path, files)
    line = plugin.count("\n")
    with pytest.raises(ToolError, match=rf"reached by name at plugin.py:{line}"):
        bench.run("rename_symbol", symbol="reports.py:Report.toterminal", new_name="write_to")
    assert not bench.actions


FIXTURES = {
    "fixtures.py": (
        "class Def:\n    def __init__(self):\n        self.fins = []\n\n    def addfinalizer(self, fin):\n"
        "        self.fins.append(fin)\n\n\nclass Request:\n    def __init__(self, fixturedef):\n"
        "        self._fixturedef: Def = fixturedef\n\n    def addfinalizer(self, fin):\n"
        "        self._fixturedef.addfinalizer(fin)\n\n\nclass Node:\n    def addfinalizer(self, fin):\n"
        "        pass\n\n\ndef lookup(name) -> Def:\n    return Def()\n\n\ndef setup(names, node: Node):\n"
        "    parents = []\n    for name in names:\n        parents.append(lookup(name))\n"
        "    for parent in parents:\n        parent.addfinalizer(print)\n    node.addfinalizer(print)\n\n\n"
        "def leave(names):\n    found = []\n    for name in names:\n        found.append(lookup(name))\n"
        "    keep(found)\n    for each in found:\n        each.addfinalizer(print)\n\n\ndef keep(found):\n"
        "    found.append(Node())\n"
    ),
}


def test_calls_through_a_declared_attribute_and_a_loop_over_a_collected_list_follow_a_method_rename(
    tmp_path: Path,
) -> None:
    bench = action_bench(tmp_path, FIXTURES)
    bench.run("rename_symbol", symbol="fixtures.py:Def.addfinalizer", new_name="add_fin")
    text = bench.read("fixtures.py")
    assert "self._fixturedef.add_fin(fin)" in text and "parent.add_fin(print)" in text
    assert "node.addfinalizer(print)" in text and text.count("def addfinalizer(self, fin)") == 2
    assert "each.addfinalizer(print)" in text, "a list handed to another function may hold anything"
