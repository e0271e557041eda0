"""A diagnosis too unsure to present as the answer becomes a job waiting for a person.

The job waits at the `ci-diagnosis` gate, so `swe-team jobs --waiting` lists it; `swe-team show JOB` shows its
report (the diagnosis and the log excerpt), and `swe-team ci answer JOB --accept|--reject` closes it. What is
stored has its secrets replaced first (core/redaction), as every report is.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import JobError
from core.jobs import Job, new_job_id
from core.trajectory import Trajectory
from swe_team.approval import CI_DIAGNOSIS_KIND
from swe_team.ci.diagnosis import Diagnosis
from swe_team.ci.render import to_markdown

if TYPE_CHECKING:
    from core.settings import Settings

GATE = "ci-diagnosis"
KIND = CI_DIAGNOSIS_KIND
TAIL_SHOWN = 200


def kept_back(text: str, settings: Settings) -> str:
    """`text` as it may be stored: secrets replaced by the project's redaction rules."""
    from core.redaction import redact

    return redact(text, settings.redaction).text


def report_of(diagnosis: Diagnosis) -> str:
    tail = diagnosis.tail.splitlines()[-TAIL_SHOWN:]
    body = "\n".join(tail).replace("```", "`\u200b``")
    answer = (
        f"**Answer it** with `swe-team ci answer {diagnosis.waiting_job} --accept` (the diagnosis is right) or "
        f'`--reject --comment "what it really was"`; `swe-team chat` and `approve` are for team jobs.\n\n'
    )
    return f"{answer}{to_markdown(diagnosis)}\n#### End of the log (repeats folded)\n\n```text\n{body}\n```\n"


def hand_to_person(settings: Settings, diagnosis: Diagnosis, repo: Path | None) -> str:
    """Record the diagnosis as a job waiting at the `ci-diagnosis` gate; its id."""
    from swe_team.job_store import open_job_store

    store = open_job_store(settings)
    job = Job(
        id=new_job_id(),
        repo=str(repo or Path.cwd()),
        task=kept_back(
            f"CI build failed ({diagnosis.kind}): {diagnosis.error_line or 'no error line found'}", settings
        ),
        kind=KIND,
        approve="all",
        workspace="none",
        status="waiting",
        gate=GATE,
    )
    folder = store.create(job)
    diagnosis.waiting_job = job.id
    (folder / "diagnosis.json").write_text(kept_back(json.dumps(diagnosis.to_dict(), indent=2), settings), "utf-8")
    (folder / "report.md").write_text(kept_back(report_of(diagnosis), settings), "utf-8")
    return job.id


def answer_waiting(settings: Settings, job_id: str, accepted: bool, comment: str) -> Job:
    """A person's answer to a waiting diagnosis: the job ends resolved (accepted) or rejected, the answer is kept."""
    from swe_team.approval import who
    from swe_team.job_store import open_job_store

    store = open_job_store(settings)
    job = store.load(job_id)
    if job.kind != KIND or job.status != "waiting":
        raise JobError(
            f"job {job.id} is not a CI diagnosis waiting for a person (kind {job.kind}, status {job.status})",
            hint="`swe-team jobs --waiting` lists them; team jobs are answered with `swe-team chat`",
        )
    action = "approve" if accepted else "reject"
    Trajectory(store.folder(job.id) / "trajectory.jsonl").record(
        "decision", gate=GATE, action=action, by=who(), comment=kept_back(comment, settings), at=time.time()
    )
    job.status, job.gate = ("resolved" if accepted else "rejected"), ""
    store.save(job)
    return job
