"""Reviewer: reads the patch and the test results, returns a verdict with findings."""

from __future__ import annotations

from typing import Any

from core.errors import WorkspaceError, WorkspaceUnavailable
from core.state import Finding, Review, TeamState
from roles.briefing import plan_section, section, task_section
from roles.loop import RoleVisit, run_tool_loop
from workspaces.base import Workspace


def grounded(findings: list[Finding], workspace: Workspace) -> tuple[list[Finding], list[str]]:
    """The findings about files of the repository, with a line the file has (else none), and the files named
    that the repository does not have: a model's findings are checked before anyone reads them."""
    kept, unknown = [], []
    line_counts: dict[str, int | None] = {}
    for finding in findings:
        path = finding.file.strip().partition(":")[0]
        if path not in line_counts:
            line_counts[path] = _line_count(workspace, path)
        lines = line_counts[path]
        if lines is None:
            unknown.append(finding.file)
            continue
        line = finding.line if finding.line is not None and 0 < finding.line <= lines else None
        kept.append(finding.model_copy(update={"file": path, "line": line}))
    return kept, unknown


def _line_count(workspace: Workspace, path: str) -> int | None:
    try:
        return workspace.read_file(path).count("\n") + 1
    except WorkspaceUnavailable:
        raise
    except (WorkspaceError, OSError, UnicodeDecodeError):
        return None


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
    findings, unknown = grounded(review.findings, visit.services.tools.workspace)
    review = review.model_copy(update={"findings": findings})
    update: dict[str, Any] = {"review": review}
    if unknown:
        named = ", ".join(unknown)
        update["notes"] = [f"reviewer: findings about files the repository does not have were dropped: {named}"]
    if review.verdict == "request_changes":
        update["review_rounds"] = state.review_rounds + 1
        listed = "\n".join(f"- {f.file}:{f.line or '?'} [{f.severity}] {f.message}" for f in review.findings)
        update["feedback"] = f"The reviewer requested changes: {review.summary}\n{listed}"
    return update
