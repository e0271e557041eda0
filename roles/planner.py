"""Planner: classifies the task and writes the steps."""

from __future__ import annotations

from typing import Any

from core.state import Classification, Plan, TeamState
from roles.briefing import feedback_section, lessons_section, task_section
from roles.loop import RoleVisit, ask_structured


def run(state: TeamState, visit: RoleVisit) -> dict[str, Any]:
    messages = visit.opening(
        task_section(state),
        lessons_section(visit.services.extras.get("lessons_text", "")),
        feedback_section(state),
    )
    plan = ask_structured(visit, messages, Plan)
    return {
        "plan": plan,
        "classification": Classification(kind=plan.kind, priority=plan.priority, declared=state.kind),
        "kind": plan.kind if state.kind == "auto" else state.kind,
        "feedback": "",
    }
