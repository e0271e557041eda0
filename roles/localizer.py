"""Localizer: ranks candidate locations without a model, then lets the model inspect and re-rank them."""

from __future__ import annotations

from typing import Any

from core.errors import WorkspaceError, WorkspaceUnavailable
from core.state import Location, TeamState
from roles.briefing import format_locations, lessons_section, plan_section, section, task_section
from roles.loop import RoleFailed, RoleVisit, run_tool_loop
from roles.schemas import Locations
from roles.shortlist import repo_map, shortlist

SHORTLIST_SIZE = 8
REPO_MAP_TOKENS = 800


def _in_repository(visit: RoleVisit, path: str) -> bool:
    """Whether the model named a file of the repository; a path the workspace refuses (`../../etc/passwd`) is not."""
    try:
        return visit.services.tools.workspace.exists(path)
    except WorkspaceUnavailable:
        raise
    except WorkspaceError:
        return False


def place_named(location: Location) -> Location:
    """The location with a path field read as a person would: small models write a whole place there
    (`src/app.py:353-369 Blueprint.add_url_rule`); the path is its first word, the lines and symbol follow."""
    words = location.path.split()
    if not words:
        return location
    path, _, lines = words[0].partition(":")
    update: dict[str, Any] = {"path": path}
    if len(words) > 1 and not location.symbol:
        update["symbol"] = words[1]
    start, _, end = lines.partition("-")
    if start.isdigit() and location.start_line is None:
        first, last = int(start), int(end) if end.isdigit() else int(start)
        if 0 < first <= last:
            update["start_line"], update["end_line"] = first, last
    return location.model_copy(update=update)


def run(state: TeamState, visit: RoleVisit) -> dict[str, Any]:
    candidates = shortlist(visit.services, state.task, SHORTLIST_SIZE)
    messages = visit.opening(
        task_section(state),
        plan_section(state),
        lessons_section(visit.services.extras.get("lessons_text", "")),
        section("Candidate locations (code graph and search)", format_locations(candidates) or "none found"),
        section("Repository map", repo_map(visit.services, state.task, REPO_MAP_TOKENS)),
        section("Feedback", state.feedback),
    )
    try:
        answer = run_tool_loop(visit, messages, Locations)
    except RoleFailed as exc:
        if not candidates:
            raise
        return {
            "locations": candidates,
            "feedback": "",
            "notes": [f"localizer: the model's answer was unusable ({exc}); kept the search ranking"],
        }
    located = [place for place in map(place_named, answer.locations) if _in_repository(visit, place.path)]
    if not located:
        named = ", ".join(loc.path for loc in answer.locations)
        return {
            "locations": candidates,
            "feedback": "",
            "notes": [f"localizer: the model named no file of the repository ({named}); kept the search ranking"],
        }
    return {"locations": located, "feedback": ""}
