"""Reviewer: reads the patch and the test results, returns a verdict with findings."""

from __future__ import annotations

from typing import Any

from graphs.state import TeamState
from roles.briefing import plan_section, section, task_section
from roles.loop import RoleVisit, run_tool_loop
from roles.schemas import Review


def run(state: TeamState, visit: RoleVisit) -> dict[str, Any]:
    diff = visit.services.tools.workspace.diff()
    report = state.get("test_report", {})
    patch = state.get("patch", {})
    messages = visit.opening(
        task_section(state),
        plan_section(state),
        section("The coder's summary", patch.get("summary", "")),
        section("Patch", f"```diff\n{diff}\n```"),
        section("Tests", report.get("summary", "")),
    )
    review = run_tool_loop(visit, messages, Review)
    update: dict[str, Any] = {"review": review.model_dump()}
    if review.verdict == "request_changes":
        update["review_rounds"] = state.get("review_rounds", 0) + 1
        findings = "\n".join(f"- {f.file}:{f.line or '?'} [{f.severity}] {f.message}" for f in review.findings)
        update["feedback"] = f"The reviewer requested changes: {review.summary}\n{findings}"
    return update
