"""Which of the tester's tests stay: each is run; one that passes is measured alone, and kept only when it runs
lines or branches of the target functions that neither the existing tests nor the tests kept before it ran.
The test files are then cut down to the tests kept (helpers and fixtures stay), and run together once more."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from memory.codegraph.link import is_test_path
from swe_team.tests_gap.measure import CoverageCommand, FileCoverage, Measurement, combined, measure
from swe_team.tests_gap.targets import TargetFunction
from tools.test_results import run_tests
from workspaces.base import Workspace

MAX_CANDIDATES = 40
"""Tests measured one by one at most; the rest are dropped unmeasured."""


@dataclass
class Verdict:
    """What became of one test the tester wrote."""

    test_id: str
    outcome: str
    kept: bool
    reason: str
    gained_lines: int = 0
    gained_branches: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def added_test_files(diff: str) -> list[str]:
    """The test files a diff creates (`new file mode`), in its order."""
    found, current = [], ""
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            current = line.rsplit(" b/", 1)[-1]
        elif line.startswith("new file mode") and current.endswith(".py") and _is_test_file(current):
            found.append(current)
    return found


def _is_test_file(path: str) -> bool:
    return is_test_path(path) or posixpath.basename(path).startswith("test")


def test_key(test_id: str) -> tuple[str, str]:
    """The file and function a pytest node id names: `tests/t.py::TestA::test_b[1]` → (`tests/t.py`, `test_b`)."""
    return test_id.split("::", 1)[0], test_id.rsplit("::", 1)[-1].split("[", 1)[0]


def keep_only(source: str, kept: set[str]) -> str | None:
    """`source` without the test functions (module level or in a class) whose name is not in `kept`; None when
    no test is left. A file that does not parse is returned as it is."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    drop: list[tuple[int, int]] = []
    remaining = 0
    bodies = [tree.body] + [node.body for node in tree.body if isinstance(node, ast.ClassDef)]
    for body in bodies:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                if node.name in kept:
                    remaining += 1
                    continue
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                drop.append((first, node.end_lineno or node.lineno))
    if not remaining:
        return None
    lines = source.splitlines(keepends=True)
    for first, last in sorted(drop, reverse=True):
        del lines[first - 1 : last]
    return "".join(lines)


def gained(
    targets: list[TargetFunction], current: dict[str, FileCoverage], new: dict[str, FileCoverage]
) -> tuple[int, int]:
    """(lines, branches) of the targets that `new` ran and `current` did not."""
    lines = branches = 0
    empty = FileCoverage()
    for target in targets:
        inside = range(target.start_line, target.end_line + 1)
        had, ran = current.get(target.path, empty), new.get(target.path, empty)
        lines += len({n for n in ran.executed - had.executed if n in inside})
        branches += len({arc for arc in ran.executed_arcs - had.executed_arcs if arc[0] in inside})
    return lines, branches


@dataclass
class Judgement:
    verdicts: list[Verdict]
    kept_files: list[str]
    final: Measurement | None
    notes: list[str]


def judge_tests(
    workspace: Workspace,
    command: CoverageCommand,
    plain_command: str,
    files: list[str],
    targets: list[TargetFunction],
    baseline: dict[str, FileCoverage],
    timeout: float,
    progress: Callable[[str, str], None],
) -> Judgement:
    """Run the tests in `files`, keep those that pass and add coverage of `targets`, and cut the files to them."""
    include = sorted({t.path for t in targets})
    notes: list[str] = []
    progress("judge", f"running the {len(files)} new test file(s)")
    report = run_tests(workspace, plain_command, files, timeout)
    verdicts: list[Verdict] = []
    current = {path: coverage for path, coverage in baseline.items()}
    measured = 0
    for case in report.cases:
        if case.outcome != "passed":
            why = f"{case.outcome}: {case.message.strip().splitlines()[0]}" if case.message.strip() else case.outcome
            verdicts.append(Verdict(case.test_id, case.outcome, False, why[:200]))
            continue
        if measured >= MAX_CANDIDATES:
            verdicts.append(Verdict(case.test_id, "passed", False, f"not measured (over {MAX_CANDIDATES} tests)"))
            continue
        measured += 1
        progress("judge", f"measuring {case.test_id}")
        alone = measure(workspace, command, [case.test_id], timeout, include)
        if alone.report.exit_code != 0:
            verdicts.append(Verdict(case.test_id, "failed", False, "fails when run alone"))
            continue
        lines, branches = gained(targets, current, alone.files)
        if lines or branches:
            current = combined(current, alone.files)
            reason = f"raises coverage: +{lines} lines, +{branches} branches"
            verdicts.append(Verdict(case.test_id, "passed", True, reason, lines, branches))
        else:
            verdicts.append(Verdict(case.test_id, "passed", False, "passes but adds no coverage"))
    if not report.cases:
        notes.append(f"the new test files ran no test ({report.summary()})")
    kept_files = _cut_files(workspace, files, {test_key(v.test_id) for v in verdicts if v.kept})
    final = None
    if kept_files:
        progress("judge", f"running the {len(kept_files)} kept test file(s) together")
        final = measure(workspace, command, kept_files, timeout, include)
        failing = [case.test_id for case in final.report.cases if case.outcome != "passed"]
        if failing:
            notes.append(f"kept tests fail when run together: {', '.join(failing)}; they were dropped")
            for verdict in verdicts:
                if verdict.test_id in failing:
                    verdict.kept, verdict.reason = False, "fails next to the other kept tests"
            kept_files = _cut_files(workspace, kept_files, {test_key(v.test_id) for v in verdicts if v.kept})
            final = measure(workspace, command, kept_files, timeout, include) if kept_files else None
    return Judgement(verdicts, kept_files, final, notes)


def _cut_files(workspace: Workspace, files: list[str], kept: set[tuple[str, str]]) -> list[str]:
    """Each file cut down to its kept tests; a file left without tests is deleted. The files still there."""
    remaining = []
    for path in files:
        if not workspace.exists(path):
            continue
        text = keep_only(workspace.read_file(path), {name for file, name in kept if file == path})
        if text is None:
            workspace.delete_file(path)
        else:
            workspace.write_file(path, text)
            remaining.append(path)
    return remaining
