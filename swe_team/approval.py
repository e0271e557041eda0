"""Approvers answer a gate's interrupt with a decision: {"action": approve|reject|retry|edit, "comment": ...}."""

from __future__ import annotations

import json
import sys
from typing import Any, Protocol

from rich.console import Console
from rich.prompt import Prompt

from swe_team.errors import SweTeamError


class NeedsHuman(SweTeamError):
    """A gate needs an answer and nobody is at a terminal: the job waits, holding no process."""

    def __init__(self, job_id: str, gate: str) -> None:
        super().__init__(
            f"job {job_id} waits for approval at the {gate} gate",
            hint=f"answer it from a terminal with `swe-team resume {job_id}`, or run with --approve auto",
        )
        self.job_id = job_id
        self.gate = gate


class Approver(Protocol):
    def ask(self, payload: dict[str, Any]) -> dict[str, Any]: ...


class TerminalApprover:
    """Shows the evidence and asks approve / reject / retry on the terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        gate = str(payload.get("gate", "?"))
        if not sys.stdin.isatty():
            raise NeedsHuman(str(payload.get("job_id", "")), gate)
        evidence = payload.get("evidence", {})
        self.console.rule(f"[bold]gate: {gate}")
        shown = {k: v for k, v in evidence.items() if k not in ("usage", "task")}
        self.console.print_json(json.dumps(shown, default=str))
        action = Prompt.ask("approve, reject or retry", choices=["approve", "reject", "retry"], default="approve")
        comment = "" if action == "approve" else Prompt.ask("comment", default="")
        return {"action": action, "comment": comment}


class AutoApprover:
    """Approves everything: for `--approve auto` and for scripts."""

    def ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"action": "approve", "comment": ""}
