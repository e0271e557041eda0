"""The functions tests-gap writes tests for: those a change touched (`--base`), else those the tests miss.

Function ranges come from the code graph; which of their lines and branches ran comes from coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import RepositoryError
from core.git import git, git_output
from memory.codegraph.link import is_test_path
from swe_team.tests_gap.measure import FileCoverage
from tools.diff_lines import parse_unified_diff

FUNCTION_KINDS = ("function", "method")


@dataclass(frozen=True)
class TargetFunction:
    path: str
    qualname: str
    start_line: int
    end_line: int

    @property
    def id(self) -> str:
        return f"{self.path}:{self.qualname}"


@dataclass(frozen=True)
class FunctionCoverage:
    """A function's statements and branches, and how many of each ran (coverage.py's percentage)."""

    lines: int
    covered_lines: int
    branches: int
    covered_branches: int
    missing_lines: tuple[int, ...] = ()
    missing_branches: tuple[tuple[int, int], ...] = ()
    measured: bool = True
    """False for a function in a file no test imports: coverage.py does not even count its statements."""

    @property
    def percent(self) -> float:
        total = self.lines + self.branches
        if not self.measured:
            return 0.0
        return 100.0 if total == 0 else 100.0 * (self.covered_lines + self.covered_branches) / total

    @property
    def complete(self) -> bool:
        return self.measured and not self.missing_lines and not self.missing_branches

    def none_ran(self) -> FunctionCoverage:
        """The same statements and branches with none of them run: an unmeasured function's coverage before."""
        return FunctionCoverage(self.lines, 0, self.branches, 0, measured=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "covered_lines": self.covered_lines,
            "branches": self.branches,
            "covered_branches": self.covered_branches,
            "percent": round(self.percent, 1),
            "measured": self.measured,
        }


def function_coverage(target: TargetFunction, file: FileCoverage | None) -> FunctionCoverage:
    """The part of `file`'s coverage inside `target`'s lines (its branches: those leaving one of its lines)."""
    if file is None:
        return FunctionCoverage(0, 0, 0, 0, measured=False)
    inside = range(target.start_line, target.end_line + 1)
    executed = {line for line in file.executed if line in inside}
    missing = sorted(line for line in file.missing if line in inside)
    taken = {arc for arc in file.executed_arcs if arc[0] in inside}
    not_taken = sorted(arc for arc in file.missing_arcs if arc[0] in inside)
    return FunctionCoverage(
        lines=len(executed) + len(missing),
        covered_lines=len(executed),
        branches=len(taken) + len(not_taken),
        covered_branches=len(taken),
        missing_lines=tuple(missing),
        missing_branches=tuple(not_taken),
    )


def total_coverage(coverages: list[FunctionCoverage]) -> FunctionCoverage:
    return FunctionCoverage(
        lines=sum(c.lines for c in coverages),
        covered_lines=sum(c.covered_lines for c in coverages),
        branches=sum(c.branches for c in coverages),
        covered_branches=sum(c.covered_branches for c in coverages),
    )


def source_functions(graph: Any) -> list[TargetFunction]:
    """Every Python function and method of the code graph outside test files, in file and line order."""
    found = []
    for path, (_, record) in sorted(graph.records().items()):
        if not path.endswith(".py") or is_test_path(path):
            continue
        for symbol in record.symbols:
            if symbol.kind in FUNCTION_KINDS:
                found.append(TargetFunction(path, symbol.qualname, symbol.start_line, symbol.end_line))
    return sorted(found, key=lambda f: (f.path, f.start_line))


def uncovered_functions(
    functions: list[TargetFunction], files: dict[str, FileCoverage], limit: int
) -> list[TargetFunction]:
    """The `limit` functions with the most lines and branches the tests never ran."""
    scored = []
    for function in functions:
        coverage = function_coverage(function, files.get(function.path))
        missed = len(coverage.missing_lines) + len(coverage.missing_branches)
        if coverage.lines and missed:
            scored.append((-missed, function.path, function.start_line, function))
    return [entry[-1] for entry in sorted(scored)[:limit]]


def _resolved(repo: Path, ref: str) -> str:
    found = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise RepositoryError(
            f"--base {ref} names no commit of {repo}",
            hint="pass a branch, tag or commit of the repository (e.g. --base origin/main)",
        )
    return found.stdout.strip()


def changed_lines(repo: Path, base: str, head: str) -> dict[str, set[int]]:
    """Per Python file, the lines of `head` that differ from where it left `base` (their merge base): added or
    changed lines, and the line next to a deletion."""
    base_commit, head_commit = _resolved(repo, base), _resolved(repo, head)
    diff = git_output(
        repo,
        "diff",
        "--unified=0",
        "--no-color",
        "--no-renames",
        f"{base_commit}...{head_commit}",
        "--",
        "*.py",
        error=RepositoryError,
    )
    return {
        file.path: file.touched_lines
        for file in parse_unified_diff(diff)
        if file.status != "deleted" and file.touched_lines
    }


def changed_functions(functions: list[TargetFunction], changed: dict[str, set[int]]) -> list[TargetFunction]:
    """The innermost function around each changed line, outside test files."""
    by_path: dict[str, list[TargetFunction]] = {}
    for function in functions:
        by_path.setdefault(function.path, []).append(function)
    touched: dict[str, TargetFunction] = {}
    for path, lines in sorted(changed.items()):
        for line in sorted(lines):
            around = [f for f in by_path.get(path, []) if f.start_line <= line <= f.end_line]
            if around:
                innermost = max(around, key=lambda f: f.start_line)
                touched.setdefault(innermost.id, innermost)
    return list(touched.values())
