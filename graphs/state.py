"""The team graph's state: ids, paths, small structured results and budgets — never file contents or logs.

Fields without a reducer are replaced by a node's update; the annotated ones accumulate as documented.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

Status = Literal["running", "resolved", "unresolved", "failed", "rejected"]


def merge_usage(left: dict[str, dict[str, Any]], right: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per-role usage adds up: tokens, seconds and calls of each role are summed across visits."""
    merged = {role: dict(values) for role, values in left.items()}
    for role, values in right.items():
        current = merged.setdefault(role, {})
        for key, value in values.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                current[key] = current.get(key, 0) + value
            else:
                current[key] = value
    return merged


class Location(TypedDict, total=False):
    path: str
    symbol: str
    start_line: int
    end_line: int
    reason: str


class TeamState(TypedDict, total=False):
    job_id: str
    task: str
    kind: str
    """bug | feature | refactor; `auto` until intake or the planner decides."""
    test_command: str
    workspace: dict[str, Any]
    """`WorkspaceInfo.to_dict()` — enough to reattach after a crash."""
    started_at: float
    approve: list[str]
    """Gates that ask a human (plan, locations, patch, final), and `patch-on-fail`."""
    yes_destructive: bool
    """--yes-destructive: write the branch into the user's repository without asking at the final gate."""
    budgets: dict[str, Any]
    """Copied from settings at intake so routers stay pure functions of the state."""

    classification: dict[str, Any]
    plan: dict[str, Any]
    locations: list[Location]
    lessons: list[str]
    """Ids of experiences loaded by intake."""
    reproduction: dict[str, Any]
    """Test files and selectors written by the tester, and the result before any edit."""
    baseline: dict[str, Any]
    """Summary of the repository's test run before any edit (pre-existing failures)."""
    patch: dict[str, Any]
    """Files changed, diff size and the coder's summary of the last coder visit."""
    test_report: dict[str, Any]
    review: dict[str, Any]
    feedback: str
    """What the tester or reviewer sends back to the coder."""

    iterations: int
    """Coder visits so far."""
    review_rounds: int
    gate_outcome: dict[str, str]
    """The last gate's answer: {"gate": name, "action": approve | retry | reject | edited | ask_again}."""

    snapshots: Annotated[list[dict[str, Any]], operator.add]
    """Appended: {node, id} after each node that may change files; the last one is the state to resume from."""
    decisions: Annotated[list[dict[str, Any]], operator.add]
    """Appended: every human decision at a gate — gate, action, comment, at, by, proposal, accepted, changed."""
    usage: Annotated[dict[str, dict[str, Any]], merge_usage]
    """Summed per role: prompt_tokens, completion_tokens, seconds, calls."""
    elapsed: Annotated[float, operator.add]
    """Summed: seconds spent inside nodes (time waiting at a gate or dead after a crash is not counted)."""
    notes: Annotated[list[str], operator.add]
    """Appended: things the report should say (fallbacks taken, weak reproductions, budgets hit)."""

    status: Status
    halt: str
    """Set when the job must stop early (role failure, rejection, budget): the reason. Routers then finalize."""
    outputs: dict[str, str]
    """Artefact paths written by finalize, and the branch name."""
