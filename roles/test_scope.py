"""Which tests the tester runs when the whole suite does not fit the time budget: the tests the code graph
links to the code at stake (the localizer's locations before any edit, the changed lines after), the changed
test functions, and the reproduction tests.

A selector here is pytest-style (`path::Class::test`, or a file); every runner reads that form.
"""

from __future__ import annotations

from typing import Any

from core.state import Location, TeamState
from memory.codegraph.link import is_test_path
from tools.diff_lines import parse_unified_diff
from workspaces.base import Workspace

FILE_LIMIT = 5
"""Test files importing a changed module are added only when there are at most this many (a core module is
imported by most of the suite)."""
SELECTOR_LIMIT = 300
"""More linked tests than this are selected by their files."""
MIN_RUN_SECONDS = 30.0


def graph_selector(path: str, qualname: str) -> str:
    return "::".join([path, *qualname.split(".")]) if qualname else path


def run_budget(state: TeamState, command_timeout_s: float) -> float:
    """Seconds one test run may take: the command timeout, within the job's remaining wall time."""
    remaining = state.budgets.max_wall_seconds - state.elapsed
    return max(MIN_RUN_SECONDS, min(command_timeout_s, remaining))


def count_tests(workspace: Workspace) -> int:
    """Test functions in the repository's test files (parametrizations not counted): one grep."""
    found = workspace.exec(
        "grep -rhcE --include='test*.py' --include='*_test.py' --exclude-dir=.git --exclude-dir=.venv "
        "'^\\s*(async )?def test' . 2>/dev/null | awk '{total += $1} END {print total + 0}'",
        timeout=120,
    )
    digits = found.stdout.strip().splitlines()
    return int(digits[-1]) if digits and digits[-1].isdigit() else 0


def is_test_module(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test") or name.endswith("_test.py"))


def sample_test_files(workspace: Workspace, count: int = 3) -> list[str]:
    """A few test files, to time the suite by when the code graph links no test to the locations."""
    return [path for path in workspace.list_files() if is_test_module(path)][:count]


def changed_lines(diff: str) -> dict[str, list[int]]:
    """The lines each file's change touches, numbered in the new file (a pure deletion marks the line after)."""
    return {
        file.path: sorted(file.touched_lines)
        for file in parse_unified_diff(diff)
        if file.status != "deleted" and file.touched_lines
    }


class Linker:
    """Tests the code graph links to places in the code, as selectors in first-found order: the test functions
    calling the code, and the test files importing its module (when few do)."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.selectors: list[str] = []
        self.importers: list[str] = []

    def symbol(self, symbol_id: str) -> bool:
        """Adds the test functions exercising `symbol_id` (for a module: anything in it); False when none."""
        found = [graph_selector(t.path, t.qualname) for t in self.graph.tests_for(symbol_id) if t.kind != "file"]
        self.selectors.extend(s for s in found if s not in self.selectors)
        return bool(found)

    def module(self, path: str) -> None:
        """Adds the test modules importing the module at `path` (not the helpers living beside them)."""
        found = [t.path for t in self.graph.tests_for(path) if t.kind == "file" and is_test_module(t.path)]
        self.importers.extend(s for s in found if s not in self.importers)

    def lines(self, path: str, numbers: list[int]) -> bool:
        """Adds the tests of the functions spanning `numbers` (in a test file: those test functions)."""
        enclosing = [self.graph.enclosing(path, n) for n in numbers]
        if is_test_path(path):
            found = [graph_selector(path, info.qualname if info else "") for info in enclosing]
            self.selectors.extend(s for s in dict.fromkeys(found) if s not in self.selectors)
            return bool(found)
        self.module(path)
        symbols = {info.id for info in enclosing if info is not None}
        return any([self.symbol(symbol) for symbol in sorted(symbols)]) or (None in enclosing and self.symbol(path))

    def result(self) -> list[str]:
        found = list(self.selectors)
        if len(self.importers) <= FILE_LIMIT:
            found += [s for s in self.importers if s not in found]
        if len(found) > SELECTOR_LIMIT:
            found = list(dict.fromkeys(s.split("::", 1)[0] for s in found))
        files = {s for s in found if "::" not in s}
        return [s for s in found if "::" not in s or s.split("::", 1)[0] not in files]


def linked_to_locations(graph: Any, locations: list[Location]) -> list[str]:
    """Tests linked to the localizer's locations: those of their symbol, else of their lines, else of anything
    in their module; and the test files importing their module."""
    if graph is None:
        return []
    linker = Linker(graph)
    for location in locations:
        linker.module(location.path)
        symbol = f"{location.path}:{location.symbol}"
        if location.symbol and graph.resolve_symbol(symbol) and linker.symbol(symbol):
            continue
        lines = list(range(location.start_line or 0, (location.end_line or location.start_line or 0) + 1))
        if location.start_line and linker.lines(location.path, lines):
            continue
        linker.symbol(location.path)
    return linker.result()


def linked_to_diff(graph: Any, diff: str) -> list[str]:
    """Tests linked to the changed lines and their modules, and the changed test functions themselves."""
    if graph is None:
        return []
    linker = Linker(graph)
    for path, numbers in changed_lines(diff).items():
        linker.lines(path, numbers)
    return linker.result()
