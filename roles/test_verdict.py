"""Judging a test run against the baseline taken before any edit.

A failing test is the patch's fault unless it failed before any edit too, or its file or module could not be
collected then; a file that fails to collect now is the patch's fault unless it failed to collect before. The
reproduction tests must run and pass. A failing test the baseline never ran is looked up on the base commit
first (the workspace is rolled back to it for that run, then forward again).
"""

from __future__ import annotations

from core.state import Baseline, CaseResult, TestVerdict
from tools.test_results import TestCase, TestReport, run_tests
from tools.testing.ids import collection_key, dotted, matches, outcome_of, selected
from workspaces.base import Workspace

FEEDBACK_FAILURES = 5
LOOKUP_LIMIT = 200
"""More unknown failing tests than this are looked up by their files."""


def collection_failed_before(case: TestCase, baseline: Baseline) -> bool:
    """Whether the file, module or class of `case` could not be collected before any edit."""
    errors = set(baseline.collection_errors)
    if case.collection:
        return collection_key(case) in errors
    return case.file in errors or any(dotted(case.test_id).startswith(error + ".") for error in errors)


def failed_before(case: TestCase, baseline: Baseline) -> bool:
    if case.collection:
        return collection_failed_before(case, baseline)
    before = baseline.outcomes.get(case.test_id)
    return before in ("failed", "error") or case.test_id in baseline.failing or collection_failed_before(case, baseline)


def _suspects(report: TestReport, targets: list[str]) -> list[TestCase]:
    """Failing results that are not the reproduction tests."""
    return [case for case in report.failing() if not any(matches(case, target) for target in targets)]


def _selector(case: TestCase) -> str:
    return collection_key(case) if case.collection else case.test_id


def looked_up_before_edit(
    workspace: Workspace,
    command: str,
    base_snapshot: str,
    report: TestReport,
    targets: list[str],
    baseline: Baseline,
    timeout: float,
) -> Baseline:
    """`baseline` with the outcomes, before any edit, of the failing tests it has none for."""
    unknown = [
        case for case in _suspects(report, targets)
        if case.test_id not in baseline.outcomes and not failed_before(case, baseline)
    ]
    if not unknown:
        return baseline
    selectors = [_selector(case) for case in unknown]
    if len(selectors) > LOOKUP_LIMIT:
        selectors = list(dict.fromkeys(case.file or case.test_id for case in unknown))
    current = workspace.snapshot("tester-verify")
    workspace.rollback(base_snapshot)
    try:
        before = run_tests(workspace, command, selectors, timeout)
    finally:
        workspace.rollback(current)
    outcomes = dict(baseline.outcomes)
    outcomes.update({case.test_id: outcome_of(before.cases, _selector(case)) for case in unknown})
    errors = set(baseline.collection_errors) | {collection_key(case) for case in before.cases if case.collection}
    return baseline.model_copy(update={"outcomes": outcomes, "collection_errors": sorted(errors)})


def case_results(cases: list[TestCase]) -> list[CaseResult]:
    return [CaseResult(test_id=c.test_id, outcome=c.outcome, message=c.message, duration_s=c.duration_s) for c in cases]


def judge(report: TestReport, targets: list[str], baseline: Baseline) -> tuple[TestVerdict, str]:
    """The verdict on a run, and the feedback the coder reads when it fails."""
    target = selected(report.cases, targets)
    suspects = _suspects(report, targets)
    already = [case for case in suspects if failed_before(case, baseline)]
    regressions = [case for case in suspects if not failed_before(case, baseline)]
    target_ok = bool(target) and all(case.outcome == "passed" for case in target) if targets else True
    passed = bool(report.cases) and not report.timed_out and target_ok and not regressions
    verdict = TestVerdict(
        passed=passed,
        summary=report.summary(),
        command=report.command,
        target=case_results(target),
        regressions=[case.test_id for case in regressions],
        failing=[case.test_id for case in report.failing()],
        already_failing=[case.test_id for case in already],
        unknown_selectors=report.unknown_selectors,
    )
    if passed:
        return verdict, ""
    lines = [f"The tests do not pass yet ({report.summary()})."]
    if report.timed_out:
        lines.append(f"The test run was stopped at its time limit after {report.duration_s:.0f} s.")
    if not report.cases or (not report.collected_ok and regressions):
        lines.append("The test run itself failed (collection or import error):\n" + report.output[-2000:])
    if targets and not target:
        lines.append(f"The reproduction tests {targets} did not run.")
    for case in (regressions + [c for c in target if c.outcome != "passed"])[:FEEDBACK_FAILURES]:
        lines.append(f"- {case.test_id}: {case.outcome}\n{case.message[:1500]}")
    if already:
        lines.append(f"({len(already)} failing tests failed before any edit too: they are not counted.)")
    return verdict, "\n".join(lines)
