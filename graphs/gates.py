"""Approval gates: a node that stops the graph with `interrupt()` and applies the human's decision.

Nothing with a side effect runs before `interrupt()`: LangGraph re-runs the node from its top on resume. The
only side effect after it (applying an edited patch) starts from the base snapshot, so a re-run repeats it exactly.
"""

from __future__ import annotations

import json
import time
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from core.errors import SweTeamError, validation_problems
from core.state import LOCATIONS, Decision, GateOutcome, Plan, Snapshot, TeamState, stored
from graphs.action_feedback import keep_and_correct, remember_answer
from graphs.back_to_gate import reopened_because, reopened_gate
from graphs.branch import commit_plan
from graphs.candidates import finalists_shown
from graphs.context import TeamContext
from graphs.decisions import DECISION_ACTIONS
from graphs.finalize import decide
from graphs.nodes import Node
from tools.dangerous_code import scan_diff

GATES = ("plan", "locations", "patch", "final")
POLICIES = ("patch-on-fail",)
ROLE_AT_GATE = {"plan": "planner", "locations": "localizer", "patch": "coder", "final": "coder"}
"""The role a comment, a retry or a question at each gate goes to."""
EDIT_FILE = ".swe-team-edited.patch"
PROPOSAL_CHARS = 20_000


def parse_policy(policy: str) -> list[str]:
    """`auto` → no gate; `all` → every gate; else a comma list of gate names and `patch-on-fail`."""
    names = [part.strip() for part in policy.split(",") if part.strip()]
    if names in ([], ["auto"]):
        return []
    if names == ["all"]:
        return list(GATES)
    unknown = [name for name in names if name not in GATES + POLICIES]
    if unknown:
        raise ValueError(f"unknown gate(s) {unknown}; use auto, all, or a comma list of {', '.join(GATES + POLICIES)}")
    return names


def patch_failed(state: TeamState) -> bool:
    """The team could not make the tests pass or the reviewer did not approve."""
    tests_pass = state.test_report is not None and state.test_report.passed
    return not tests_pass or state.review is None or state.review.verdict != "approve"


def gate_asks(gate: str, state: TeamState, branch_pending: bool = False) -> bool:
    """Whether the gate stops for a human. The `final` gate guards writing the branch into the user's repository:
    it asks even under `auto` unless the job was started with --yes-destructive."""
    chosen = state.approve
    if gate == "final":
        return branch_pending and ("final" in chosen or not state.yes_destructive)
    if gate == "patch" and "patch-on-fail" in chosen and patch_failed(state):
        return True
    return gate in chosen


def proposal_text(gate: str, state: TeamState, diff: str) -> str:
    """What the team proposes at the gate, as text (kept with the decision for preference pairs)."""
    if gate == "plan":
        return json.dumps(plain(state.plan or {}), indent=2)
    if gate == "locations":
        return json.dumps(plain(state.locations), indent=2)
    return diff[:PROPOSAL_CHARS]


def plain(value: Any) -> Any:
    """State values as the JSON a person reads and edits: fields that are not set are left out."""
    return to_jsonable_python(value, exclude_none=True)


def evidence(gate: str, state: TeamState, context: TeamContext | None = None, diff: str = "") -> dict[str, Any]:
    """What the human sees at a gate: small and structured, from the state (files and diffs are read later)."""
    base: dict[str, Any] = {
        "task": state.task,
        "kind": state.kind,
        "usage": state.usage,
        "elapsed": state.elapsed,
        "notes": state.notes,
        "lessons": list(context.extras.get("lessons_used", [])) if context else [],
        "decisions": state.decisions,
    }
    if gate == "plan":
        shown = {**base, "plan": state.plan, "classification": state.classification}
    elif gate == "locations":
        shown = {**base, "plan": state.plan, "locations": state.locations}
    else:
        shown = {
            **base,
            "patch": state.patch,
            "test_report": state.test_report,
            "review": state.review,
            "reproduction": state.reproduction,
            "baseline": state.baseline,
            "iterations": state.iterations,
            "actions": state.actions,
        }
        if state.candidates and context is not None:
            shown["candidates"] = finalists_shown(state, context.job_dir)
    if gate == "final" and context is not None:
        shown["branch"] = {
            "name": context.job.branch,
            "repo": context.job.repo,
            "base": context.job.base_commit,
            "commits": [message.partition("\n")[0] for _, message in commit_plan(state, diff)],
        }
    shown_json: dict[str, Any] = plain({key: value for key, value in shown.items() if value is not None})
    return shown_json


def _apply_edited_patch(context: TeamContext, state: TeamState, patch: str) -> str:
    """Put the workspace at the base snapshot plus `patch`; '' when applied, else why not (workspace restored)."""
    workspace = context.workspace
    workspace.rollback(state.snapshots[0].id)
    workspace.write_file(EDIT_FILE, patch if patch.endswith("\n") else patch + "\n")
    result = workspace.exec(f"git apply --whitespace=nowarn {EDIT_FILE}", timeout=60)
    workspace.delete_file(EDIT_FILE)
    if result.exit_code == 0:
        return ""
    workspace.rollback(state.snapshots[-1].id)
    return (result.stderr or result.stdout).strip()[:500] or f"git apply exited {result.exit_code}"


def _apply_edit(
    gate: str, decision: dict[str, Any], state: TeamState, context: TeamContext | None, record: Decision
) -> dict[str, Any]:
    """The update for the developer's own version of the proposal; asked again when it cannot be used."""
    try:
        if gate == "plan":
            plan = Plan.model_validate(decision.get("plan"))
            record.accepted = json.dumps(plain(plan), indent=2)
            record.changed = f"plan replaced by the developer's version ({len(plan.steps)} steps)"
            return {"plan": plan, "gate_outcome": GateOutcome(gate=gate, action="edited")}
        if gate == "locations":
            locations = LOCATIONS.validate_python(decision.get("locations"))
            record.accepted = json.dumps(plain(locations), indent=2)
            record.changed = f"locations replaced by the developer's list ({len(locations)})"
            return {"locations": locations, "gate_outcome": GateOutcome(gate=gate, action="edited")}
    except ValidationError as exc:
        problem = validation_problems(exc, gate)
        record.action, record.changed = "edit_failed", f"the edited {gate} is not valid: {problem}"
        return {"gate_outcome": GateOutcome(gate=gate, action="ask_again")}
    if "kept" in decision and context is not None:
        return keep_and_correct(gate, decision, state, context, record)
    patch = decision.get("patch")
    if not isinstance(patch, str) or context is None:
        record.action, record.changed = "edit_failed", "the edit held no patch"
        return {"gate_outcome": GateOutcome(gate=gate, action="ask_again")}
    problem = _apply_edited_patch(context, state, patch)
    if problem:
        record.action, record.changed = "edit_failed", f"the edited patch did not apply: {problem}"
        return {"gate_outcome": GateOutcome(gate=gate, action="ask_again")}
    record.accepted = patch[:PROPOSAL_CHARS]
    record.changed = "the workspace now holds the developer's patch; the tests run again"
    return {
        "gate_outcome": GateOutcome(gate=gate, action="edited"),
        "snapshots": [Snapshot(node=f"{gate}_gate", id=context.workspace.snapshot(f"{gate}-edit"))],
    }


def apply_decision(
    gate: str, decision: dict[str, Any], state: TeamState, context: TeamContext | None = None, proposal: str = ""
) -> dict[str, Any]:
    """The state update for a decision, with a record of what it changed."""
    action = str(decision.get("action", "approve"))
    comment = str(decision.get("comment", "")).strip()
    record = Decision(
        gate=gate, action=action, comment=comment, at=time.time(), by=str(decision.get("by", "")), proposal=proposal
    )
    update: dict[str, Any] = {"gate_outcome": GateOutcome(gate=gate, action="approve")}
    if action == "reject":
        update["halt"] = f"rejected at the {gate} gate" + (f": {comment}" if comment else "")
        update["status"] = "rejected"
        update["gate_outcome"] = GateOutcome(gate=gate, action="reject")
        record.changed = "the job ended: rejected"
    elif action == "retry":
        update["feedback"] = f"The developer sent your work back with this comment: {comment or '(no comment)'}"
        update["gate_outcome"] = GateOutcome(gate=gate, action="retry")
        record.changed = f"sent back to the {ROLE_AT_GATE[gate]}"
    elif action == "edit":
        update.update(_apply_edit(gate, decision, state, context, record))
    elif comment:
        update["feedback"] = f"A note from the developer at the {gate} gate: {comment}"
        record.changed = "approved; the note goes to the next role"
    update["decisions"] = [record]
    return stored(update)


def dangerous_additions(context: TeamContext, diff: str) -> list[dict[str, Any]]:
    """The dangerous code the patch adds that `review.dangerous_code_allow` does not let pass: each hit stops
    auto-approval at the patch gate."""

    def new_text(path: str) -> str | None:
        try:
            return context.workspace.read_file(path)
        except (SweTeamError, OSError, UnicodeDecodeError):
            return None

    return [hit.to_dict() for hit in scan_diff(diff, new_text, context.settings.review.dangerous_code_allow)]


def gate_node(gate: str) -> Node:
    def node(state: TeamState, *, runtime: Runtime[TeamContext]) -> dict[str, Any]:
        context = runtime.context
        branch_pending = False
        diff = ""
        if gate in ("patch", "final"):
            diff = context.workspace.diff()
            branch_pending = decide(state)[0] == "resolved" and bool(diff.strip())
        dangerous = dangerous_additions(context, diff) if gate == "patch" else []
        if not gate_asks(gate, state, branch_pending) and not dangerous and reopened_gate(state) != gate:
            return stored({"gate_outcome": GateOutcome(gate=gate, action="approve")})
        payload: dict[str, Any] = {"gate": gate, "job_id": state.job_id, "role": ROLE_AT_GATE[gate]}
        if problem := reopened_because(state, gate):
            payload["problem"] = problem
        shown = evidence(gate, state, context, diff)
        if dangerous:
            shown["dangerous_code"] = dangerous
        decision = interrupt({**payload, "evidence": shown})
        if not isinstance(decision, dict) or decision.get("action") not in DECISION_ACTIONS:
            decision = {"action": "retry", "comment": str(decision)}
        update = apply_decision(gate, decision, state, context, proposal_text(gate, state, diff))
        update = remember_answer(gate, decision, state, context, update)
        context.trajectory.record("decision", **update["decisions"][0])
        return update

    node.__name__ = f"{gate}_gate"
    return node
