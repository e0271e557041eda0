"""Approvers answer a gate's interrupt with a decision, and the two steps of answering a waiting job from outside.

A decision is {"action": approve|reject|retry|edit, "comment": ..., "by": ...} plus, for `edit`, the edited
"plan", "locations" or "patch". Answering a waiting job is two separate steps so a fleet can swap the second:
`record_decision` stores the answer in the job folder; `runner.continue_job` resumes the job in this process, where
`PendingDecisionApprover` hands the stored answer to the gate (a fleet requeues it instead).
"""

from __future__ import annotations

import getpass
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from core.errors import JobError, SweTeamError
from core.processes import pid_alive
from graphs.decisions import DECISION_ACTIONS

if TYPE_CHECKING:
    from core.jobs import Job
    from core.settings import Settings

EXIT_WAITING = 3
"""Exit code of `run`, `resume`, `chat`, `approve` and `reject` when the job stopped at a gate for a human."""
PENDING_FILE = "decision.json"
CI_DIAGNOSIS_KIND = "ci-diagnosis"
"""A `ci diagnose` answer a person must confirm: it is closed by `swe-team ci answer`, not at a team gate."""


class NeedsHuman(SweTeamError):
    """A gate needs an answer and nobody is at a terminal: the job waits, holding no process."""

    def __init__(self, job_id: str, gate: str, why: str = "nobody is at a terminal to answer it") -> None:
        super().__init__(
            f"job {job_id} waits at the {gate} gate: {why}",
            hint=f"answer it with `swe-team chat {job_id}` from any terminal, or for scripts "
            f"`swe-team approve {job_id} [--comment TEXT]` / `swe-team reject {job_id} --reason TEXT`",
        )
        self.job_id = job_id
        self.gate = gate


class Approver(Protocol):
    def ask(self, payload: dict[str, Any], context: Any = None) -> dict[str, Any]:
        """The decision for one gate. `context` is the job's `TeamContext` (workspace, model, trajectory)."""
        ...


class AutoApprover:
    """Approves every gate, for scripts and `eval`, except a patch that adds dangerous code: that job waits for a
    person, as it does without a terminal."""

    def ask(self, payload: dict[str, Any], context: Any = None) -> dict[str, Any]:
        if payload.get("evidence", {}).get("dangerous_code"):
            raise needs_human(payload)
        return {"action": "approve", "comment": "", "by": "auto"}


class NoHumanApprover:
    """Stops the job at the gate: what a run without a terminal gets."""

    def ask(self, payload: dict[str, Any], context: Any = None) -> dict[str, Any]:
        raise needs_human(payload)


def needs_human(payload: dict[str, Any]) -> NeedsHuman:
    """The gate of `payload` waits for a human; why it asks again, when a model failure reopened it or the patch
    adds dangerous code."""
    job_id, gate, problem = str(payload.get("job_id", "")), str(payload.get("gate", "?")), payload.get("problem")
    dangerous = payload.get("evidence", {}).get("dangerous_code", [])
    if dangerous and not problem:
        where = ", ".join(f"{hit.get('path')}:{hit.get('line')} {hit.get('rule')}" for hit in dangerous[:3])
        more = f" and {len(dangerous) - 3} more" if len(dangerous) > 3 else ""
        problem = f"the patch adds dangerous code ({where}{more}), which a person must approve"
    return NeedsHuman(job_id, gate, why=str(problem)) if problem else NeedsHuman(job_id, gate)


class PendingDecisionApprover:
    """Answers the gate the job waits at with the decision `record_decision` stored, once; then asks `fallback`."""

    def __init__(self, job_dir: Path, fallback: Approver) -> None:
        self.job_dir = job_dir
        self.fallback = fallback

    def ask(self, payload: dict[str, Any], context: Any = None) -> dict[str, Any]:
        path = self.job_dir / PENDING_FILE
        if path.is_file():
            stored = json.loads(path.read_text(encoding="utf-8"))
            path.unlink()
            if stored.get("gate") == payload.get("gate"):
                return dict(stored["decision"])
        return self.fallback.ask(payload, context)


def who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def answer_command(job: Job) -> str:
    """How a person answers this waiting job."""
    if job.kind == CI_DIAGNOSIS_KIND:
        return f"swe-team ci answer {job.id} --accept|--reject"
    return f"swe-team chat {job.id}"


def waiting_job(settings: Settings, job_id: str) -> Job:
    """The job, checked to be waiting at a gate with no live process holding it."""
    from swe_team.job_store import open_job_store

    job = open_job_store(settings).load(job_id)
    if job.kind == CI_DIAGNOSIS_KIND:
        raise JobError(f"job {job.id} is a CI diagnosis waiting for a person, not a team job at a gate",
                       hint=f"answer it with `{answer_command(job)}`")
    if job.status != "waiting" or not job.gate:
        raise JobError(
            f"job {job.id} is not waiting at a gate (it is {job.status})",
            hint="`swe-team jobs --waiting` lists the jobs that wait for an answer",
        )
    if job.pid and job.pid != os.getpid() and pid_alive(job.pid):
        raise JobError(
            f"job {job.id} is waiting at the {job.gate} gate in the terminal of process {job.pid}",
            hint="answer it there, or stop that process first (the job keeps waiting)",
        )
    return job


def record_decision(settings: Settings, job_id: str, decision: dict[str, Any]) -> Job:
    """Step one: store the answer for the gate the job waits at. It takes effect when the job continues."""
    job = waiting_job(settings, job_id)
    if decision.get("action") not in DECISION_ACTIONS:
        raise SweTeamError(f"unknown decision {decision.get('action')!r}", hint="use approve, reject, retry or edit")
    entry = {"gate": job.gate, "recorded_at": time.time(), "decision": {"by": who(), **decision}}
    path = settings.jobs_dir / job.id / PENDING_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entry), encoding="utf-8")
    os.replace(tmp, path)
    return job
