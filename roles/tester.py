"""Tester: writes the test that captures the task before anyone edits (reproduce), and judges each patch (verify).

Before any edit it records each test's outcome (the baseline). When the suite does not fit the time budget, the
baseline and every verification run only the tests the code graph links to the code at stake and the
reproduction tests (`roles/test_scope.py`). `verify` needs no model: a failing test is the patch's fault only if
it did not fail, and its file did not fail to collect, before any edit; a failing test the baseline never ran is
looked up on the base commit.
"""

from __future__ import annotations

from typing import Any

from core.state import Baseline, ReproductionRecord, TeamState, TestRunSummary
from roles.briefing import locations_section, plan_section, task_section
from roles.context import ProgressCallback, ignore_progress
from roles.loop import RoleVisit, run_tool_loop
from roles.schemas import Reproduction
from roles.test_scope import count_tests, linked_to_diff, linked_to_locations, run_budget, sample_test_files
from roles.test_verdict import case_results, judge, looked_up_before_edit
from tools.base import ToolContext
from tools.test_results import TestReport, run_tests
from tools.testing.ids import collection_key, outcome_of, selected
from tools.testing.report import merged

SMALL_SUITE = 200
"""Suites with at most this many test functions run whole without first estimating their time."""
COULD_NOT_RUN = (126, 127)
"""Exit codes of a shell that found no command to run, or could not execute it."""
SUITE_SHARE = 0.8
"""The whole suite runs when its estimated time is within this share of the time budget."""


def baseline_of(report: TestReport, scope: str, selectors: list[str]) -> Baseline:
    return Baseline(
        summary=report.summary(),
        failing=sorted(c.test_id for c in report.failing()),
        collected_ok=report.collected_ok,
        outcomes={c.test_id: c.outcome for c in report.cases},
        collection_errors=sorted({collection_key(c) for c in report.cases if c.collection}),
        scope="linked" if scope == "linked" else "suite",
        selectors=selectors,
        duration_s=round(report.duration_s, 2),
    )


def estimated_seconds(sample: TestReport, total: int) -> float:
    """The whole suite's time, from a sample run: its start-up plus the mean test time for every test (the
    run's time per test where the runner reports no per-test times, which overestimates small samples)."""
    measured = sum(case.duration_s for case in sample.cases)
    if measured <= 0:
        return sample.duration_s / max(1, len(sample.cases)) * total
    start_up = max(0.0, sample.duration_s - measured)
    return start_up + measured / len(sample.cases) * total


def take_baseline(state: TeamState, tools: ToolContext, progress: ProgressCallback) -> tuple[Baseline, list[str]]:
    """The run before any edit: the whole suite when it fits the time budget, else the tests linked to the
    locations. A suite of many tests is first timed on the linked tests (or a few test files) and run whole only
    when its estimated time fits."""
    budget = run_budget(state, tools.command_timeout_s)
    linked = linked_to_locations(tools.code_graph, state.locations)
    total = count_tests(tools.workspace)
    timed: TestReport | None = None
    if total > SMALL_SUITE:
        sample = linked or sample_test_files(tools.workspace)
        progress("tester", f"timing the suite ({total} tests) on {len(sample)} tests or files before any edit")
        timed = run_tests(tools.workspace, state.test_command, sample, budget)
        estimate = estimated_seconds(timed, total)
        if estimate > budget * SUITE_SHARE:
            note = (
                f"tester: the suite has about {total} tests, an estimated {estimate:.0f} s against a {budget:.0f} s "
                "budget: each patch is verified on the tests the code graph links to the change and the "
                "reproduction tests"
            )
            return baseline_of(timed, "linked", linked), [note]
    progress("tester", "running the test suite before any edit")
    suite = run_tests(tools.workspace, state.test_command, None, budget)
    ran = any(not case.collection for case in suite.cases)
    if ran and not suite.timed_out:
        return baseline_of(suite, "suite", []), []
    why = f"did not finish within {budget:.0f} s" if suite.timed_out else "could not be collected"
    note = (
        f"tester: the whole suite {why}: each patch is verified on the tests the code graph links to the change "
        "and the reproduction tests"
    )
    if linked and timed is None:
        timed = run_tests(tools.workspace, state.test_command, linked, budget)
    return baseline_of(timed or TestReport("", 0), "linked", linked), [note]


def reproduce(state: TeamState, visit: RoleVisit) -> dict[str, Any]:
    tools = visit.services.tools
    baseline, notes = take_baseline(state, tools, visit.services.progress)
    what = "reproduction test that fails because of the bug" if state.kind == "bug" else "acceptance test"
    messages = visit.opening(
        task_section(state),
        plan_section(state),
        locations_section(state),
        f"Test command: `{state.test_command}`. Write a {what}.",
    )
    answer = run_tool_loop(visit, messages, Reproduction)
    selectors = answer.test_selectors or answer.test_files
    before = run_tests(tools.workspace, state.test_command, selectors, run_budget(state, tools.command_timeout_s))
    cases = selected(before.cases, selectors)
    ran = [case for case in cases if not case.collection]
    if before.exit_code in COULD_NOT_RUN:
        notes.append(f"tester: the test command could not run (exit code {before.exit_code}): nothing is reproduced")
    elif not cases:
        notes.append(f"tester: the reproduction tests {selectors} were not found when run; verify uses the suite")
    elif not ran:
        notes.append("tester: the reproduction tests could not be collected (an error importing their file), so they "
                     "reproduce nothing; a reproduction has to run and fail")
    elif all(case.outcome == "passed" for case in ran):
        notes.append("tester: the reproduction test already passes before any edit (weak reproduction)")
    reproduction = ReproductionRecord(
        test_files=answer.test_files,
        test_selectors=selectors,
        explanation=answer.explanation,
        before=TestRunSummary(summary=before.summary(), cases=case_results(cases)),
        reproduced=before.exit_code not in COULD_NOT_RUN and any(c.outcome in ("failed", "error") for c in ran),
    )
    return {"reproduction": reproduction, "baseline": baseline, "notes": notes}


def _with(report: TestReport, extra: TestReport) -> TestReport:
    report.cases = merged([*report.cases, *extra.cases])
    report.collected_ok = report.collected_ok and extra.collected_ok
    report.timed_out = report.timed_out or extra.timed_out
    report.duration_s += extra.duration_s
    report.command = f"{report.command}; {extra.command}"
    report.unknown_selectors += extra.unknown_selectors
    return report


def targets_of(state: TeamState) -> list[str]:
    """The reproduction tests, when they ran before any edit (selectors that named nothing then are dropped)."""
    reproduction = state.reproduction
    return reproduction.test_selectors if reproduction and reproduction.before.cases else []


def verification_run(
    state: TeamState, tools: ToolContext, baseline: Baseline, budget: float, progress: ProgressCallback
) -> tuple[TestReport, str]:
    """(the run, its scope): the whole suite when the baseline ran it and it still fits the time left, else the
    tests linked to the change; the reproduction tests in either case."""
    targets = targets_of(state)
    if baseline.scope == "suite" and baseline.duration_s <= budget * SUITE_SHARE:
        progress("tester", "verifying the patch on the whole suite")
        report = run_tests(tools.workspace, state.test_command, None, budget)
        absent = [t for t in targets if outcome_of(report.cases, t) == "missing"]
        if absent and not report.timed_out:
            report = _with(report, run_tests(tools.workspace, state.test_command, absent, budget))
        return report, "suite"
    linked = linked_to_diff(tools.code_graph, tools.workspace.diff())
    wanted = list(dict.fromkeys([*baseline.selectors, *linked, *targets]))
    progress("tester", f"verifying the patch on {len(wanted)} linked and reproduction tests (the suite does not fit)")
    return run_tests(tools.workspace, state.test_command, wanted or None, budget), "linked" if wanted else "suite"


def verify(state: TeamState, tools: ToolContext, progress: ProgressCallback = ignore_progress) -> dict[str, Any]:
    baseline = state.baseline or Baseline()
    budget = run_budget(state, tools.command_timeout_s)
    report, scope = verification_run(state, tools, baseline, budget, progress)
    targets = targets_of(state)
    base = next((snapshot.id for snapshot in state.snapshots if snapshot.node == "intake"), "")
    if base:
        baseline = looked_up_before_edit(tools.workspace, state.test_command, base, report, targets, baseline, budget)
    verdict, feedback = judge(report, targets, baseline)
    return {"test_report": verdict.model_copy(update={"scope": scope}), "feedback": feedback, "baseline": baseline}
