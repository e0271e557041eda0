"""Editing the team's proposal in `$EDITOR`: the plan (markdown or JSON), the locations (JSON) or the patch."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.errors import SweTeamError, validation_problems
from core.state import LOCATIONS, Plan


class EditRejected(SweTeamError):
    """The edited text cannot be used; the gate stays open."""


def plan_to_markdown(plan: dict[str, Any]) -> str:
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(plan.get("steps", []), 1))
    return (
        f"kind: {plan.get('kind', 'bug')}\npriority: {plan.get('priority', 'normal')}\n\n"
        f"## Summary\n{plan.get('summary', '')}\n\n## Steps\n{steps}\n\n"
        "<!-- Edit the summary and the steps (one per line). Saving the file unchanged keeps the plan. "
        "You may also replace everything with the plan as JSON. -->\n"
    )


def markdown_to_plan(text: str, original: dict[str, Any]) -> dict[str, Any]:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL).strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EditRejected(f"the plan is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            raise EditRejected("the JSON plan needs an object with a list of steps")
        return {**original, **data}
    plan = dict(original)
    for key in ("kind", "priority"):
        if match := re.search(rf"^{key}:\s*(\S+)", text, re.MULTILINE | re.IGNORECASE):
            plan[key] = match.group(1)
    summary = re.search(r"^## Summary\s*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    steps = re.search(r"^## Steps\s*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if summary is None or steps is None:
        raise EditRejected("keep the '## Summary' and '## Steps' headings (or write the plan as JSON)")
    plan["summary"] = summary.group(1).strip()
    plan["steps"] = [
        re.sub(r"^(\d+[.)]|[-*])\s*", "", line.strip()) for line in steps.group(1).splitlines() if line.strip()
    ]
    if not plan["steps"]:
        raise EditRejected("the plan needs at least one step")
    return plan


def checked_plan(text: str, original: dict[str, Any]) -> dict[str, Any]:
    """The edited plan, validated against the planner's own schema."""
    try:
        return Plan.model_validate(markdown_to_plan(text, original)).model_dump()
    except ValidationError as exc:
        raise EditRejected(f"the edited plan is not valid: {validation_problems(exc)}") from exc


def run_editor(text: str, suffix: str) -> str:
    """The text after the user edited it in `$VISUAL`/`$EDITOR` (default `vi`)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="swe-team-edit-") as folder:
        path = Path(folder) / f"proposal{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            raise EditRejected(f"the editor {editor!r} could not be started: {exc}", hint="set $EDITOR") from exc
        if result.returncode != 0:
            raise EditRejected(f"the editor {editor!r} exited with {result.returncode}; nothing was changed")
        return path.read_text(encoding="utf-8")


def edit_proposal(gate: str, evidence: dict[str, Any], diff: str) -> dict[str, Any] | None:
    """The decision for an edit at `gate`, or None when the text came back unchanged."""
    if gate == "plan":
        original = evidence.get("plan", {})
        before = plan_to_markdown(original)
        after = run_editor(before, ".md")
        return None if after == before else {"action": "edit", "plan": checked_plan(after, original)}
    if gate == "locations":
        before = json.dumps(evidence.get("locations", []), indent=2) + "\n"
        after = run_editor(before, ".json")
        if after == before:
            return None
        try:
            locations = LOCATIONS.validate_json(after)
        except ValidationError as exc:
            raise EditRejected(f"the locations are not a JSON list of locations: {validation_problems(exc)}") from exc
        return {"action": "edit", "locations": [location.model_dump(exclude_none=True) for location in locations]}
    after = run_editor(diff, ".diff")
    if after == diff:
        return None
    if after.strip() and "diff --git" not in after and "+++ " not in after:
        raise EditRejected("the patch must stay a unified diff (git diff format)")
    return {"action": "edit", "patch": after}
