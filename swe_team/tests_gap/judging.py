"""Which of the tester's tests stay: each is run; one that passes is measured alone, and kept only when it runs
lines or branches of the target functions that neither the existing tests nor the tests kept before it ran.
The test files are then cut down to the tests kept (helpers and fixtures stay), and run together once more."""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from memory.codegraph.link import is_test_path
from swe_team.tests_gap.measure import CoverageCommand, FileCoverage, Measurement, TestRun, measure, measure_per_test
from swe_team.tests_gap.targets import TargetFunction
from tools.testing.report import TestCase
from workspaces.base import Workspace


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
    return re.sub(r"\n{4,}", "\n\n\n", "".join(lines)).rstrip() + "\n"


def gained(
    targets: list[TargetFunction], current: dict[str, FileCoverage], ran: dict[str, TestRun], unmeasured: set[str]
) -> dict[str, FileCoverage]:
    """Per file, the target statements and branches `ran` covered that `current` did not (as executed). In an
    `unmeasured` file (no existing test imported it) every line run is a statement, and its branches are unknown."""
    found: dict[str, FileCoverage] = {}
    for target in targets:
        run = ran.get(target.path)
        if run is None:
            continue
        inside = range(target.start_line, target.end_line + 1)
        had = current.get(target.path, FileCoverage())
        if target.path in unmeasured:
            lines, arcs = {n for n in run.lines - had.executed if n in inside}, set()
        else:
            lines = {n for n in run.lines & had.missing if n in inside}
            arcs = {arc for arc in run.arcs & had.missing_arcs if arc[0] in inside}
        if lines or arcs:
            found[target.path] = found.get(target.path, FileCoverage()).union(
                FileCoverage(executed=lines, executed_arcs=arcs)
            )
    return found


@dataclass
class Judgement:
    verdicts: list[Verdict]
    kept_files: list[str]
    final: Measurement | None
    notes: list[str]


def _failure(outcome: str, message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else ""
    return f"{outcome}: {first}"[:200] if first else outcome


def judge_tests(
    workspace: Workspace,
    command: CoverageCommand,
    files: list[str],
    targets: list[TargetFunction],
    baseline: dict[str, FileCoverage],
    timeout: float,
    progress: Callable[[str, str], None],
) -> Judgement:
    """Run the tests in `files`, keep those that pass and add coverage of `targets`, and cut the files to them.

    A test function is judged whole: all its parametrized cases pass, and together they add coverage."""
    if not files:
        return Judgement([], [], None, ["the tester wrote no new test file: nothing to judge"])
    include = sorted({t.path for t in targets})
    notes: list[str] = []
    progress("judge", f"running the {len(files)} new test file(s) under coverage, one context per test")
    run = measure_per_test(workspace, command, files, timeout, include)
    cases: dict[tuple[str, str], list[TestCase]] = {}
    for case in run.report.cases:
        if test_key(case.test_id)[0] in files:
            cases.setdefault(test_key(case.test_id), []).append(case)
    verdicts: list[Verdict] = []
    current = dict(baseline)
    unmeasured = {t.path for t in targets} - baseline.keys()
    for (test_file, name), group in cases.items():
        failing = [case for case in group if case.outcome != "passed"]
        if failing:
            why = _failure(failing[0].outcome, failing[0].message)
            verdicts += [
                Verdict(c.test_id, c.outcome, False, why if c in failing else f"another case of this test {why}")
                for c in group
            ]
            continue
        gain = gained(targets, current, run.of(test_file, name), unmeasured)
        lines = sum(len(f.executed) for f in gain.values())
        branches = sum(len(f.executed_arcs) for f in gain.values())
        if not gain:
            verdicts += [Verdict(c.test_id, "passed", False, "passes but adds no coverage") for c in group]
            continue
        for path, newly in gain.items():
            current[path] = current.get(path, FileCoverage()).union(newly)
        reason = f"raises coverage: +{lines} lines, +{branches} branches"
        verdicts += [Verdict(c.test_id, "passed", True, reason, lines, branches) for c in group]
    if not run.report.cases:
        notes.append(f"the new test files ran no test ({run.report.summary()})")
    kept_files = _cut_files(workspace, files, {test_key(v.test_id) for v in verdicts if v.kept})
    final = None
    if kept_files:
        progress("judge", f"running the {len(kept_files)} kept test file(s) together")
        kept_files, final = _run_together(workspace, command, kept_files, include, timeout, verdicts, notes)
    return Judgement(verdicts, kept_files, final, notes)


def _run_together(
    workspace: Workspace,
    command: CoverageCommand,
    files: list[str],
    include: list[str],
    timeout: float,
    verdicts: list[Verdict],
    notes: list[str],
) -> tuple[list[str], Measurement | None]:
    """The kept tests run together, as they will in the suite; one that fails there is dropped after all."""
    final = measure(workspace, command, files, timeout, include)
    broken = {case.test_id for case in final.report.cases if case.outcome != "passed"}
    if not broken:
        return files, final
    notes.append(f"kept tests fail when run together: {', '.join(sorted(broken))}; they were dropped")
    for verdict in verdicts:
        if verdict.test_id in broken:
            verdict.kept, verdict.reason = False, "fails next to the other kept tests"
    files = _cut_files(workspace, files, {test_key(v.test_id) for v in verdicts if v.kept})
    return files, (measure(workspace, command, files, timeout, include) if files else None)


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
