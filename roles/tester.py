"""Tester: writes the test that captures the task before anyone edits (reproduce), and judges each patch (verify).

`verify` needs no model: it runs the repository's tests and compares them with the run before any edit.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from core.state import Baseline, CaseResult, ReproductionRecord, TeamState, TestRunSummary, TestVerdict
from roles.briefing import locations_section, plan_section, task_section
from roles.loop import RoleVisit, run_tool_loop
from roles.schemas import Reproduction
from tools.test_results import TestCase, TestReport, run_tests
from workspaces.base import Workspace

FEEDBACK_FAILURES = 5


def _matches(test_id: str, selectors: list[str]) -> bool:
    return any(test_id == s or test_id.startswith(s.rstrip(":") + "::") for s in selectors)


def _selected(report: TestReport, selectors: list[str]) -> list[TestCase]:
    return [case for case in report.cases if _matches(case.test_id, selectors)]


def _results(cases: list[TestCase]) -> list[CaseResult]:
    return [CaseResult(**asdict(case)) for case in cases]


def run_suite(workspace: Workspace, state: TeamState, timeout: float) -> TestReport:
    return run_tests(workspace, state.test_command, None, timeout)


def reproduce(state: TeamState, visit: RoleVisit) -> dict[str, Any]:
    workspace = visit.services.tools.workspace
    timeout = visit.services.tools.command_timeout_s
    visit.services.progress(visit.spec.name, "running the test suite before any edit")
    baseline = run_suite(workspace, state, timeout)
    what = "reproduction test that fails because of the bug" if state.kind == "bug" else "acceptance test"
    messages = visit.opening(
        task_section(state),
        plan_section(state),
        locations_section(state),
        f"Test command: `{state.test_command}`. Write a {what}.",
    )
    answer = run_tool_loop(visit, messages, Reproduction)
    selectors = answer.test_selectors or answer.test_files
    before = run_tests(workspace, state.test_command, selectors, timeout)
    cases = _selected(before, selectors)
    notes = []
    if not cases:
        notes.append(f"tester: the reproduction tests {selectors} were not found when run; verify uses the suite")
    elif all(case.outcome == "passed" for case in cases):
        notes.append("tester: the reproduction test already passes before any edit (weak reproduction)")
    reproduction = ReproductionRecord(
        test_files=answer.test_files,
        test_selectors=selectors,
        explanation=answer.explanation,
        before=TestRunSummary(summary=before.summary(), cases=_results(cases)),
        reproduced=bool(cases) and any(c.outcome in ("failed", "error") for c in cases),
    )
    baseline_summary = Baseline(
        summary=baseline.summary(),
        failing=sorted(c.test_id for c in baseline.cases if c.outcome in ("failed", "error")),
        collected_ok=baseline.collected_ok,
    )
    return {"reproduction": reproduction, "baseline": baseline_summary, "notes": notes}


def verify(state: TeamState, workspace: Workspace, timeout: float) -> dict[str, Any]:
    report = run_suite(workspace, state, timeout)
    selectors = state.reproduction.test_selectors if state.reproduction else []
    already_failing = set(state.baseline.failing if state.baseline else [])
    failing = [c for c in report.cases if c.outcome in ("failed", "error")]
    regressions = [c for c in failing if c.test_id not in already_failing and not _matches(c.test_id, selectors)]
    target = _selected(report, selectors)
    target_ok = bool(target) and all(c.outcome == "passed" for c in target) if selectors else not failing
    passed = report.collected_ok and target_ok and not regressions
    verdict = TestVerdict(
        passed=passed,
        summary=report.summary(),
        command=report.command,
        target=_results(target),
        regressions=[c.test_id for c in regressions],
        failing=[c.test_id for c in failing],
    )
    feedback = ""
    if not passed:
        lines = [f"The tests do not pass yet ({report.summary()})."]
        if not report.collected_ok:
            lines.append("The test run itself failed (collection or import error):\n" + report.output[-2000:])
        for case in (regressions + [c for c in target if c.outcome != "passed"])[:FEEDBACK_FAILURES]:
            lines.append(f"- {case.test_id}: {case.outcome}\n{case.message[:1500]}")
        feedback = "\n".join(lines)
    return {"test_report": verdict, "feedback": feedback}
