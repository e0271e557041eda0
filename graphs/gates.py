"""Approval gates: a node that stops the graph with `interrupt()` and applies the human's decision.

Nothing with a side effect runs before `interrupt()`: LangGraph re-runs the node from its top on resume.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from graphs.context import TeamContext
from graphs.nodes import Node
from graphs.state import TeamState

GATES = ("plan", "locations", "patch")
ACTIONS = ("approve", "reject", "retry", "edit")


def parse_policy(policy: str) -> list[str]:
    """`auto` → no gate; `all` → every gate; else a comma list of gate names."""
    names = [part.strip() for part in policy.split(",") if part.strip()]
    if names in ([], ["auto"]):
        return []
    if names == ["all"]:
        return list(GATES)
    unknown = [name for name in names if name not in GATES]
    if unknown:
        raise ValueError(f"unknown gate(s) {unknown}; use auto, all, or a list of {', '.join(GATES)}")
    return names


def evidence(gate: str, state: TeamState) -> dict[str, Any]:
    """What the human sees at a gate: small, structured, read from the state only."""
    base = {"task": state.get("task", ""), "usage": state.get("usage", {}), "notes": state.get("notes", [])}
    if gate == "plan":
        return {**base, "plan": state.get("plan", {}), "classification": state.get("classification", {})}
    if gate == "locations":
        return {**base, "locations": state.get("locations", [])}
    return {
        **base,
        "patch": state.get("patch", {}),
        "test_report": state.get("test_report", {}),
        "review": state.get("review", {}),
        "reproduction": state.get("reproduction", {}),
    }


def apply_decision(gate: str, decision: dict[str, Any], state: TeamState) -> dict[str, Any]:
    action = decision.get("action", "approve")
    comment = str(decision.get("comment", ""))
    record = {"gate": gate, "action": action, "comment": comment, "at": time.time()}
    update: dict[str, Any] = {"decisions": [record], "gate_outcome": {"gate": gate, "action": "approve"}}
    if action == "reject":
        update["halt"] = f"rejected at the {gate} gate" + (f": {comment}" if comment else "")
        update["status"] = "rejected"
        update["gate_outcome"] = {"gate": gate, "action": "reject"}
    elif action == "retry":
        update["feedback"] = f"The developer asked for another attempt: {comment}"
        update["gate_outcome"] = {"gate": gate, "action": "retry"}
    elif action == "edit" and gate == "plan" and isinstance(decision.get("plan"), dict):
        update["plan"] = decision["plan"]
    elif action == "edit" and gate == "locations" and isinstance(decision.get("locations"), list):
        update["locations"] = decision["locations"]
    return update


def gate_node(gate: str) -> Node:
    def node(state: TeamState, *, runtime: Runtime[TeamContext]) -> dict[str, Any]:
        if gate not in state.get("approve", []):
            return {"gate_outcome": {"gate": gate, "action": "approve"}}
        decision = interrupt({"gate": gate, "job_id": state.get("job_id", ""), "evidence": evidence(gate, state)})
        if not isinstance(decision, dict) or decision.get("action") not in ACTIONS:
            decision = {"action": "retry", "comment": str(decision)}
        update = apply_decision(gate, decision, state)
        runtime.context.trajectory.record("decision", **update["decisions"][0])
        return update

    node.__name__ = f"{gate}_gate"
    return node
