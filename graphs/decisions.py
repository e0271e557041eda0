"""What a human can decide at a gate, and the decisions of a job as experience-memory records."""

from __future__ import annotations

from core.state import Decision
from memory.experience import HumanDecision
from memory.experience.record import GateAction

DECISION_ACTIONS = ("approve", "reject", "retry", "edit")
"""A decision is {"action": one of these, "comment": ..., "by": ...} plus, for `edit`, the edited "plan",
"locations" or "patch"."""
MEMORY_ACTIONS: dict[str, GateAction] = {"approve": "approve", "edit": "edit", "reject": "reject", "retry": "reject"}
"""Gate actions → `HumanDecision.action`. A retry rejects the proposal; the version approved later at the same
gate is what `preference_pairs` pairs it with."""


def experience_decisions(decisions: list[Decision]) -> list[HumanDecision]:
    """The job's decisions as experience-memory records, for the experience finalize writes, which feeds
    `export_preferences`. Decisions that changed nothing (an edit that did not apply) are left out."""
    return [
        HumanDecision(
            gate=d.gate,
            action=MEMORY_ACTIONS[d.action],
            comment=d.comment,
            proposal=d.proposal,
            accepted=d.accepted,
            at=d.at,
        )
        for d in decisions
        if d.action in MEMORY_ACTIONS
    ]
