"""Grading as SWE-bench's harness does it: pure functions from per-test outcomes to FULL / PARTIAL / NO.

A listed test passed when its outcome is passed or xfailed; it failed when its outcome is failed or error, or when
the log does not mention it at all (`missing`). A skipped test counts as neither, and so does a listed id that
cannot name a test (debris of the log parser that made the dataset, such as pytest's progress `[100%]`). Which
reported test a listed id names (SWE-bench's ids are cut at their first space) is the test runner's business:
`tools.test_results`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

NOT_A_TEST = re.compile(r"^[^\w./]")
PASSING = frozenset({"passed", "xfailed", "xpassed"})
FAILING = frozenset({"failed", "error"})
Lookup = Callable[[str], str]
"""A listed test id → the outcome the test log gives it (`missing` when none)."""


class Resolution(StrEnum):
    FULL = "FULL"
    PARTIAL = "PARTIAL"
    NO = "NO"


@dataclass(frozen=True)
class TestGroup:
    """The listed tests of one kind (FAIL_TO_PASS or PASS_TO_PASS) sorted by how the log says they went."""

    __test__ = False

    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_tests: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Passed over counted; 1.0 when nothing was counted, as the official harness has it."""
        counted = len(self.passed) + len(self.failed)
        return len(self.passed) / counted if counted else 1.0

    def counts(self) -> dict[str, int]:
        return {
            "passed": len(self.passed), "failed": len(self.failed), "skipped": len(self.skipped),
            "not_tests": len(self.not_tests),
        }


def group(test_ids: Iterable[str], lookup: Lookup) -> TestGroup:
    result = TestGroup()
    for test_id in test_ids:
        if NOT_A_TEST.match(test_id):
            result.not_tests.append(test_id)
            continue
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
