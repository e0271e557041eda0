"""The decisions taken at a job's gates, for `swe-team show`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from core.trajectory import Trajectory


def decisions_of(job_dir: Path) -> list[dict[str, Any]]:
    """Every decision of the job, in order, from its trajectory (also while it still waits at a gate)."""
    return [e for e in Trajectory(job_dir / "trajectory.jsonl").events() if e.get("event") == "decision"]


def decision_table(decisions: list[dict[str, Any]]) -> Table:
    table = Table("when", "gate", "decision", "by", "text", "what it changed", title="decisions", title_justify="left")
    for d in decisions:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(d.get("at", d.get("ts", 0)))))
        table.add_row(
            when,
            str(d.get("gate", "")),
            str(d.get("action", "")),
            Text(str(d.get("by", ""))),
            Text(str(d.get("comment", ""))),
            Text(str(d.get("changed", ""))),
        )
    return table
