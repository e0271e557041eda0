"""What a human can decide at a gate, and the decisions of a job as experience-memory records."""

from __future__ import annotations

import time
from typing import Any

from memory.experience import HumanDecision

DECISION_ACTIONS = ("approve", "reject", "retry", "edit")
"""A decision is {"action": one of these, "comment": ..., "by": ...} plus, for `edit`, the edited "plan",
"locations" or "patch"."""
MEMORY_ACTIONS = {"approve": "approve", "edit": "edit", "reject": "reject", "retry": "reject"}
"""Gate actions → `memory.experience.HumanDecision.action`. A retry rejects the proposal; the version approved
later at the same gate is what `preference_pairs` pairs it with."""


def experience_decisions(decisions: list[dict[str, Any]]) -> list[HumanDecision]:
    """The job's decisions as `memory.experience.HumanDecision` records, for the experience finalize writes
    (`Experience(decisions=...)`), which feeds `export_preferences`. Decisions that changed nothing
    (an edit that did not apply) are left out."""
    records = []
    for d in decisions:
        action = MEMORY_ACTIONS.get(str(d.get("action", "")))
        if action is None:
            continue
        records.append(
            HumanDecision(
                gate=str(d.get("gate", "")),
                action=action,  # type: ignore[arg-type]
                comment=str(d.get("comment", "")),
                proposal=str(d.get("proposal", "")),
                accepted=str(d.get("accepted", "")),
                at=float(d.get("at", time.time())),
            )
        )
    return records
