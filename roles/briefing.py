"""The user message each role starts from: the task and what earlier roles found, as short markdown sections."""

from __future__ import annotations

from collections.abc import Iterable

from core.state import Location, TeamState


def section(title: str, body: str) -> str:
    return f"## {title}\n{body.strip()}\n" if body.strip() else ""


def task_section(state: TeamState) -> str:
    return section("Task" + (f" ({state.kind})" if state.kind != "auto" else ""), state.task)


def plan_section(state: TeamState) -> str:
    if state.plan is None:
        return ""
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(state.plan.steps, 1))
    return section("Plan", f"{state.plan.summary}\n{steps}")


def locations_section(state: TeamState) -> str:
    return section("Locations to look at", format_locations(state.locations))


def format_locations(locations: Iterable[Location]) -> str:
    lines = []
    for loc in locations:
        span = f":{loc.start_line}-{loc.end_line}" if loc.start_line else ""
        symbol = f" {loc.symbol}" if loc.symbol else ""
        reason = f" — {loc.reason}" if loc.reason else ""
        lines.append(f"- {loc.path}{span}{symbol}{reason}")
    return "\n".join(lines)


def reproduction_section(state: TeamState) -> str:
    repro = state.reproduction
    if repro is None:
        return ""
    selectors = ", ".join(repro.test_selectors or repro.test_files)
    return section("Tests that capture the task", f"{selectors}\nBefore any change: {repro.before.summary}")


def feedback_section(state: TeamState) -> str:
    return section("Feedback on the previous attempt", state.feedback)


def lessons_section(lessons_text: str) -> str:
    return section("Lessons from earlier jobs on this repository", lessons_text)
