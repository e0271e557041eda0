"""Coder: edits the code through search/replace until the tests pass, then summarizes the change."""

from __future__ import annotations

from typing import Any

from core.state import PatchSummary, TeamState
from roles.briefing import (
    feedback_section,
    locations_section,
    plan_section,
    reproduction_section,
    section,
    task_section,
)
from roles.loop import RoleVisit, run_tool_loop
from roles.schemas import CoderResult


def run(state: TeamState, visit: RoleVisit) -> dict[str, Any]:
    messages = visit.opening(
        task_section(state),
        plan_section(state),
        locations_section(state),
        reproduction_section(state),
        section("Lessons to avoid repeating", visit.services.extras.get("avoid_text", "")),
        feedback_section(state),
        f"Test command: `{state.test_command}`.",
    )
    answer = run_tool_loop(visit, messages, CoderResult)
    diff = visit.services.tools.workspace.diff()
    files = sorted({line[6:] for line in diff.splitlines() if line.startswith("+++ b/")})
    patch = PatchSummary(summary=answer.summary, root_cause=answer.root_cause, files=files, diff_lines=diff.count("\n"))
    return {"patch": patch, "iterations": state.iterations + 1, "feedback": ""}
