"""Grading as SWE-bench's harness does it: pure functions from per-test outcomes to FULL / PARTIAL / NO.

A listed test passed when its outcome is passed or xfailed; it failed when its outcome is failed or error, or when
the log does not mention it at all. A skipped test counts as neither. SWE-bench cuts test ids at their first space,
so a listed id also matches every reported test whose id, cut the same way, equals it (the worst outcome wins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

PASSING = frozenset({"passed", "xfailed", "xpassed"})
FAILING = frozenset({"failed", "error"})
_WORST_FIRST = ("error", "failed", "skipped", "xfailed", "xpassed", "passed")
Lookup = Callable[[str], str]
"""A listed test id → the outcome the test log gives it (`missing` when none)."""


class Resolution(StrEnum):
    FULL = "FULL"
    PARTIAL = "PARTIAL"
    NO = "NO"


def log_lookup(outcomes: Iterable[tuple[str, str]]) -> Lookup:
    """A lookup over (test id, outcome) pairs by full id and by id cut at its first space (worst outcome kept)."""
    index: dict[str, str] = {}
    for test_id, outcome in outcomes:
        for key in {test_id, test_id.split(" ", 1)[0]}:
            previous = index.get(key)
            if previous is None or _rank(outcome) < _rank(previous):
                index[key] = outcome
    return lambda test_id: outcome_of(test_id, index)


def _rank(outcome: str) -> int:
    return _WORST_FIRST.index(outcome) if outcome in _WORST_FIRST else 0


def outcome_of(test_id: str, index: Mapping[str, str]) -> str:
    """The outcome the log gives `test_id`, or "missing"."""
    return index.get(test_id) or index.get(test_id.split(" ", 1)[0]) or "missing"


@dataclass(frozen=True)
class TestGroup:
    """The listed tests of one kind (FAIL_TO_PASS or PASS_TO_PASS) sorted by how the log says they went."""

    __test__ = False

    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Passed over counted; 1.0 when nothing was counted, as the official harness has it."""
        counted = len(self.passed) + len(self.failed)
        return len(self.passed) / counted if counted else 1.0

    def counts(self) -> dict[str, int]:
        return {"passed": len(self.passed), "failed": len(self.failed), "skipped": len(self.skipped)}


def group(test_ids: Iterable[str], lookup: Lookup) -> TestGroup:
    result = TestGroup()
    for test_id in test_ids:
        outcome = lookup(test_id)
        if outcome in PASSING:
            result.passed.append(test_id)
        elif outcome in FAILING or outcome == "missing":
            result.failed.append(test_id)
        else:
            result.skipped.append(test_id)
    return result


@dataclass(frozen=True)
class Grade:
    fail_to_pass: TestGroup
    pass_to_pass: TestGroup

    @property
    def resolution(self) -> Resolution:
        if self.pass_to_pass.rate < 1.0:
            return Resolution.NO
        if self.fail_to_pass.rate == 1.0:
            return Resolution.FULL
        return Resolution.PARTIAL if self.fail_to_pass.rate > 0.0 else Resolution.NO


def grade(fail_to_pass: Iterable[str], pass_to_pass: Iterable[str], lookup: Lookup) -> Grade:
    """How the patched repository did on the instance's two lists of tests."""
    return Grade(group(fail_to_pass, lookup), group(pass_to_pass, lookup))


def passing_without_fix(fail_to_pass: Iterable[str], lookup: Lookup) -> list[str]:
    """The FAIL_TO_PASS tests that do not fail before the fix (validation wants none): passed or skipped."""
    before = group(fail_to_pass, lookup)
    return [*before.passed, *before.skipped]
