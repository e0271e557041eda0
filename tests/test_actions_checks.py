"""What every action is checked for before it is written, the EditAction each edit tool reports, and the helpers
that read files for them."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from core.errors import ToolError
from tests.actions_fixtures import action_bench
from tools.actions.apply import Proposal, apply_proposal, unresolved_names
from tools.actions.edits import file_edits
from tools.actions.rope_scopes import region_of

FILES = {"app.py": "import os\n\n\ndef main():\n    return os.getcwd()\n", "web.js": "export const a = 1;\n"}


def test_a_proposal_that_breaks_parsing_or_names_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, FILES)
    broken = Proposal("t", {}, "break")
    broken.change("app.py", FILES["app.py"], FILES["app.py"].replace("def main():", "def main("))
    with pytest.raises(ToolError, match=r"app\.py would no longer parse"):
        apply_proposal(bench.context, broken)
    unnamed = Proposal("t", {}, "unname")
    unnamed.change("app.py", FILES["app.py"], FILES["app.py"].replace("return os", "return missing_name or os"))
    with pytest.raises(ToolError, match="would use missing_name, which nothing defines"):
        apply_proposal(bench.context, unnamed)
    javascript = Proposal("t", {}, "js")
    javascript.change("web.js", FILES["web.js"], "export const a = ;\n")
    with pytest.raises(ToolError, match=r"web\.js would no longer parse"):
        apply_proposal(bench.context, javascript)
    assert bench.read("app.py") == FILES["app.py"] and not bench.actions


def test_a_file_changed_since_it_was_read_is_refused(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, FILES)
    stale = Proposal("t", {}, "stale")
    stale.change("app.py", "old text\n", "new text\n")
    with pytest.raises(ToolError, match=r"app\.py changed since the action read it"):
        apply_proposal(bench.context, stale)


def test_unresolved_names_sees_globals_locals_and_star_imports() -> None:
    source = "import os\ng = 1\ndef f(a):\n    global h\n    h = a\n    return os, a, b, len, g\n"
    assert unresolved_names(source) == {"b"}
    assert unresolved_names("from x import *\nprint(anything)\n") == set()


def test_file_edits_are_the_changed_line_ranges_of_the_old_file() -> None:
    [edit] = file_edits("a.py", "one\ntwo\nthree\n", "one\n2\nthree\n")
    assert (edit.start_line, edit.end_line, edit.before, edit.after) == (2, 2, "two\n", "2\n")
    [insert] = file_edits("a.py", "one\n", "one\nnew\n")
    assert (insert.start_line, insert.end_line, insert.after) == (2, 1, "new\n")
    long = "".join(f"total({n})\n" if n in (10, 11, 50) else "\n" if n % 3 else f"line {n}\n" for n in range(300))
    renamed = file_edits("b.py", long, long.replace("total(", "grand_total("))
    assert [(e.start_line, e.end_line, e.after) for e in renamed] == [
        (11, 12, "grand_total(10)\ngrand_total(11)\n"),
        (51, 51, "grand_total(50)\n"),
    ]
    shifted = file_edits("b.py", long, long.replace("line 3\n", "", 1) + "end\n")
    assert [(e.start_line, e.end_line, e.after) for e in shifted] == [(4, 4, ""), (301, 300, "end\n")]


def test_search_replace_and_create_file_report_their_edit_actions(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, FILES, with_graph=False)
    bench.run("search_replace", path="app.py", search="os.getcwd()", replace="os.getpid()")
    bench.run("create_file", path="new.py", content="x = 1\n")
    replaced, created = bench.actions
    assert replaced.tool == "search_replace" and replaced.arguments["replace"] == "os.getpid()"
    assert [(e.start_line, e.before, e.after) for e in replaced.edits] == [
        (5, "    return os.getcwd()\n", "    return os.getpid()\n")
    ]
    assert created.tool == "create_file" and created.edits[0].after == "x = 1\n" and created.files() == ["new.py"]


SCOPES = (
    "import functools\n\n\n@functools.cache\n@staticmethod\ndef first(a):  # é\n    return {k: v for k, v in a}\n\x0c\n"
    "class Box(object):\n    name = 'ü'\n\n    @property\n    def size(self):\n        return [x for x in 'ßß' if x]\n"
)


def test_scope_regions_from_ast_positions_are_ropes() -> None:
    from rope.refactor import patchedast

    patched, plain = patchedast.patch_ast(ast.parse(SCOPES), SCOPES), ast.parse(SCOPES)
    kinds = (ast.FunctionDef, ast.ClassDef, ast.ListComp, ast.DictComp)
    pairs: list[tuple[Any, ast.AST]] = [
        (a, b) for a, b in zip(ast.walk(patched), ast.walk(plain), strict=True) if isinstance(a, kinds)
    ]
    assert len(pairs) == 5
    assert all(region_of(b, SCOPES, plain) == a.region for a, b in pairs)
