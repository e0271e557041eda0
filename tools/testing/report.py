"""What a test run reports: each test's outcome under the id its runner prints, and the run as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["passed", "failed", "error", "skipped"]
SEVERITY: dict[str, int] = {"missing": -1, "passed": 0, "skipped": 1, "failed": 2, "error": 3}
"""Several results for one test (setup and call, subtests, parametrizations) merge into the worst of them."""
MESSAGE_LIMIT = 2000
OUTPUT_TAIL = 4000


@dataclass(frozen=True)
class TestCase:
    """One test's result. `test_id` is the id its runner prints and SWE-bench uses: pytest
    `tests/test_x.py::TestA::test_b[1]`, unittest and Django `test_b (tests.test_x.TestA)`, sympy `test_b`."""

    __test__ = False

    test_id: str
    outcome: Outcome
    message: str = ""
    duration_s: float = 0.0
    file: str = ""
    """The repository-relative test file, when the runner's output tells it."""
    description: str = ""
    """The first docstring line unittest prints under the id (SWE-bench's Django ids are sometimes this line)."""
    collection: bool = False
    """A file or module that could not be imported or collected: the error stands for every test in it."""


def worse(previous: TestCase | None, case: TestCase) -> TestCase:
    """The result to keep when a test reports twice (setup and teardown, subtests): the more severe one."""
    if previous is None or SEVERITY[case.outcome] > SEVERITY[previous.outcome]:
        return case
    return previous


def merged(cases: list[TestCase]) -> list[TestCase]:
    """One result per test id, the worst one, in first-seen order."""
    found: dict[str, TestCase] = {}
    for case in cases:
        found[case.test_id] = worse(found.get(case.test_id), case)
    return list(found.values())


@dataclass
class TestReport:
    """What one test run did: its command, exit code and each test's outcome."""

    __test__ = False

    command: str
    exit_code: int
    cases: list[TestCase] = field(default_factory=list)
    collected_ok: bool = True
    """False when the runner could not collect (import errors, bad arguments) or collected nothing."""
    duration_s: float = 0.0
    timed_out: bool = False
    output: str = ""
    """The last part of the combined output, for diagnosing collection or configuration errors."""
    runner: str = ""
    """pytest, unittest, django, sympy, or output (outcomes read from whatever the command printed)."""
    unknown_selectors: list[str] = field(default_factory=list)
    """Selectors naming no file, module or test that exists: left out so that the others still run."""
    note: str = ""
    """How the command was arrived at when it is not the one given (tox.ini's commands, a widened selection)."""

    def count(self, outcome: Outcome) -> int:
        return sum(case.outcome == outcome for case in self.cases)

    def failing(self) -> list[TestCase]:
        return [case for case in self.cases if case.outcome in ("failed", "error")]

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(o)} {o}" for o in ("passed", "failed", "error", "skipped"))
        notes = [f"exit code {self.exit_code}"]
        if self.timed_out:
            notes.append("timed out")
        if not self.collected_ok:
            notes.append("collection failed or collected nothing")
        if self.unknown_selectors:
            notes.append(f"{len(self.unknown_selectors)} unknown selector(s) left out")
        return f"{counts} ({'; '.join(notes)})"


def describe_report(report: TestReport, limit: int = 8) -> str:
    """The observation an agent reads: summary, then the failing tests with their messages."""
    lines = [f"$ {report.command}", report.summary()]
    if report.note:
        lines.append(f"note: {report.note}")
    if report.unknown_selectors:
        lines.append("not found, left out: " + ", ".join(report.unknown_selectors[:limit]))
    bad = report.failing()
    for case in bad[:limit]:
        message = case.message[:800] + ("…" if len(case.message) > 800 else "")
        lines.append(f"{case.outcome.upper()} {case.test_id}\n{message}".rstrip())
    if len(bad) > limit:
        lines.append(f"({len(bad) - limit} more failing tests not shown)")
    if not report.collected_ok or (report.exit_code != 0 and not bad):
        lines.append(f"--- output (last part) ---\n{report.output[-2500:]}")
    return "\n".join(lines)
