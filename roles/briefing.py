"""The user message each role starts from: the task and what earlier roles found, as short markdown sections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphs.state import TeamState


def section(title: str, body: str) -> str:
    return f"## {title}\n{body.strip()}\n" if body.strip() else ""


def task_section(state: TeamState) -> str:
    kind = state.get("kind", "auto")
    return section("Task" + (f" ({kind})" if kind != "auto" else ""), state.get("task", ""))


def plan_section(state: TeamState) -> str:
    plan = state.get("plan")
    if not plan:
        return ""
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(plan.get("steps", []), 1))
    return section("Plan", f"{plan.get('summary', '')}\n{steps}")


def locations_section(state: TeamState) -> str:
    return section("Locations to look at", format_locations(state.get("locations", [])))


def format_locations(locations: Iterable[Any]) -> str:
    lines = []
    for loc in locations:
        span = f":{loc.get('start_line')}-{loc.get('end_line')}" if loc.get("start_line") else ""
        symbol = f" {loc['symbol']}" if loc.get("symbol") else ""
        reason = f" — {loc['reason']}" if loc.get("reason") else ""
        lines.append(f"- {loc.get('path')}{span}{symbol}{reason}")
    return "\n".join(lines)


def reproduction_section(state: TeamState) -> str:
    repro = state.get("reproduction")
    if not repro:
        return ""
    selectors = ", ".join(repro.get("test_selectors") or repro.get("test_files", []))
    before = repro.get("before", {}).get("summary", "")
    return section("Tests that capture the task", f"{selectors}\nBefore any change: {before}")


def feedback_section(state: TeamState) -> str:
    return section("Feedback on the previous attempt", state.get("feedback", ""))


def lessons_section(state: TeamState, lessons_text: str) -> str:
    return section("Lessons from earlier jobs on this repository", lessons_text)
