"""What the code graph says about a change: the functions it touches, who calls them, and which tests exercise them.

Changed functions are read from the new text of each Python file (a function whose lines the diff touches); their
callers and tests come from the repository's code graph, built from its working tree (cached on disk, so only
files whose content changed are parsed again).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from swe_team.review.change import Change
from tools.dangerous_code import parsed_python

if TYPE_CHECKING:
    from memory.codegraph import CodeGraph

CALLERS_SHOWN = 5


@dataclass
class ChangedFunction:
    path: str
    qualname: str
    start_line: int
    end_line: int
    first_touched: int
    """The first of its lines the change touches."""
    nested: bool = False
    """Defined inside another function (a detail of that function, tested through it)."""
    callers: list[str] = field(default_factory=list)
    """`path:line qualname` of each caller, tests left out."""
    tests: list[str] = field(default_factory=list)
    """Test files that exercise it."""

    @property
    def id(self) -> str:
        return f"{self.path}:{self.qualname}"


def _functions(tree: ast.AST, prefix: str = "", in_function: bool = False) -> Iterator[tuple[str, int, int, bool]]:
    """(qualified name, first line, last line, defined inside another function) of every function."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{node.name}"
            is_function = not isinstance(node, ast.ClassDef)
            if is_function:
                yield name, node.lineno, node.end_lineno or node.lineno, in_function
            yield from _functions(node, f"{name}.", in_function or is_function)


def changed_functions(change: Change) -> list[ChangedFunction]:
    """Every Python function (innermost, methods by `Class.method`) whose lines the change touches."""
    found: list[ChangedFunction] = []
    for diff in change.files:
        text = change.new_text(diff.path) if diff.path.endswith(".py") else None
        if text is None:
            continue
        tree = parsed_python(text)
        if tree is None:
            continue
        touched = diff.touched_lines
        spans = sorted(_functions(tree), key=lambda span: span[2] - span[1])
        claimed: set[int] = set()
        for qualname, start, end, nested in spans:
            lines = {line for line in touched if start <= line <= end} - claimed
            if lines:
                claimed |= lines
                found.append(ChangedFunction(diff.path, qualname, start, end, min(lines), nested))
    return found


def build_graph(repo: Path, cache_dir: Path) -> CodeGraph:
    from memory.codegraph import CodeGraph

    return CodeGraph.build(repo, cache_dir=cache_dir)


def link_to_graph(functions: list[ChangedFunction], graph: CodeGraph) -> None:
    """Fill in each function's callers and tests from the graph (nothing when the graph does not know it)."""
    from memory.codegraph.link import is_test_path

    for function in functions:
        if not graph.definition(function.id):
            continue
        callers = [info for info, _ in graph.callers(function.id)]
        function.callers = [
            f"{info.path}:{info.start_line} {info.qualname}" for info in callers if not is_test_path(info.path)
        ]
        tests = {info.path for info in graph.tests_for(function.id)}
        function.tests = sorted(tests | {info.path for info in callers if is_test_path(info.path)})


def callers_section(functions: list[ChangedFunction]) -> str:
    """The callers of the changed functions, as the model reads them beside the hunks."""
    lines = []
    for function in functions:
        if function.callers:
            shown = ", ".join(function.callers[:CALLERS_SHOWN])
            more = f" and {len(function.callers) - CALLERS_SHOWN} more" if len(function.callers) > CALLERS_SHOWN else ""
            lines.append(f"- {function.id} is called by {shown}{more}")
    return "\n".join(lines)
