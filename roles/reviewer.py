"""Reviewer: reads the patch and the test results, returns a verdict with findings."""

from __future__ import annotations

from typing import Any

from core.state import Review, TeamState
from roles.briefing import plan_section, section, task_section
from roles.loop import RoleVisit, run_tool_loop


def run(state: TeamState, visit: RoleVisit) -> dict[str, Any]:
    diff = visit.services.tools.workspace.diff()
    messages = visit.opening(
        task_section(state),
        plan_section(state),
        section("The coder's summary", state.patch.summary if state.patch else ""),
        section("Patch", f"```diff\n{diff}\n```"),
        section("Tests", state.test_report.summary if state.test_report else ""),
    )
    review = run_tool_loop(visit, messages, Review)
    update: dict[str, Any] = {"review": review}
    if review.verdict == "request_changes":
        update["review_rounds"] = state.review_rounds + 1
        findings = "\n".join(f"- {f.file}:{f.line or '?'} [{f.severity}] {f.message}" for f in review.findings)
        update["feedback"] = f"The reviewer requested changes: {review.summary}\n{findings}"
    return update
