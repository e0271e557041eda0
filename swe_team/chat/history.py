"""The decisions taken at a job's gates: for `swe-team show`, and as experience-memory records."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.table import Table

from swe_team.trajectory import Trajectory

MEMORY_ACTIONS = {"approve": "approve", "edit": "edit", "reject": "reject", "retry": "reject"}
"""Gate actions → `memory.experience.HumanDecision.action`. A retry rejects the proposal; the version approved
later at the same gate is what `preference_pairs` pairs it with."""


def decisions_of(job_dir: Path) -> list[dict[str, Any]]:
    """Every decision of the job, in order, from its trajectory (also while it still waits at a gate)."""
    return [e for e in Trajectory(job_dir / "trajectory.jsonl").events() if e.get("event") == "decision"]


def decision_table(decisions: list[dict[str, Any]]) -> Table:
    table = Table("when", "gate", "decision", "by", "text", "what it changed", title="decisions", title_justify="left")
    for d in decisions:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(d.get("at", d.get("ts", 0)))))
        table.add_row(
            when, str(d.get("gate", "")), str(d.get("action", "")), str(d.get("by", "")),
            str(d.get("comment", "")), str(d.get("changed", "")),
        )
    return table


def experience_decisions(decisions: list[dict[str, Any]]) -> list[Any]:
    """The job's decisions as `memory.experience.HumanDecision` records, for the experience finalize writes
    (`Experience(decisions=...)`), which feeds `export_preferences`. Decisions that changed nothing
    (an edit that did not apply) are left out."""
    from memory.experience import HumanDecision

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
