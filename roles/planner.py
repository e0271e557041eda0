"""Planner: classifies the task and writes the steps."""

from __future__ import annotations

from typing import Any

from graphs.state import TeamState
from roles.briefing import feedback_section, lessons_section, task_section
from roles.loop import RoleVisit, ask_structured
from roles.schemas import Plan


def run(state: TeamState, visit: RoleVisit) -> dict[str, Any]:
    messages = visit.opening(
        task_section(state),
        lessons_section(state, visit.services.extras.get("lessons_text", "")),
        feedback_section(state),
    )
    plan = ask_structured(visit, messages, Plan)
    kind = state.get("kind", "auto")
    return {
        "plan": plan.model_dump(),
        "classification": {"kind": plan.kind, "priority": plan.priority, "declared": kind},
        "kind": plan.kind if kind == "auto" else kind,
        "feedback": "",
    }
