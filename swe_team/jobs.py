"""Jobs: identity, inputs and where their artefacts live (`$SWE_TEAM_HOME/jobs/<id>/`)."""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from swe_team.errors import JobError

JOB_FILE = "job.json"


def new_job_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


@dataclass
class Job:
    id: str
    repo: str
    task: str
    kind: str = "auto"
    approve: str = "auto"
    base_commit: str = ""
    workspace: str = "local"
    created_at: float = field(default_factory=time.time)
    status: str = "created"
    """created | running | waiting | resolved | unresolved | failed | rejected | interrupted"""
    gate: str = ""
    """The gate a waiting job is stopped at."""
    pid: int = 0
    flags: dict[str, Any] = field(default_factory=dict)
    """Setting overrides given on the command line, re-applied on resume."""
    instance_id: str = ""
    """Name used in pred.jsonl (defaults to the job id)."""
    keep_workspace: bool = False

    @property
    def branch(self) -> str:
        return f"swe-team/{self.id}"


class JobStore:
    """The job folders under `$SWE_TEAM_HOME/jobs`."""

    def __init__(self, jobs_dir: Path) -> None:
        self.root = jobs_dir

    def folder(self, job_id: str) -> Path:
        return self.root / job_id

    def create(self, job: Job) -> Path:
        folder = self.folder(job.id)
        folder.mkdir(parents=True, exist_ok=False)
        self.save(job)
        return folder

    def save(self, job: Job) -> None:
        path = self.folder(job.id) / JOB_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(job), indent=2), encoding="utf-8")
        os.replace(tmp, path)

    def load(self, job_id: str) -> Job:
        path = self.folder(job_id) / JOB_FILE
        if not path.is_file():
            matches = [p.name for p in self.root.glob(f"{job_id}*") if (p / JOB_FILE).is_file()]
            if len(matches) == 1:
                path = self.folder(matches[0]) / JOB_FILE
            else:
                known = "several jobs match" if matches else "no such job"
                raise JobError(f"job {job_id!r}: {known} in {self.root}", hint="list jobs with `swe-team jobs`")
        return Job(**json.loads(path.read_text(encoding="utf-8")))

    def all(self) -> list[Job]:
        if not self.root.is_dir():
            return []
        jobs = []
        for path in sorted(self.root.glob(f"*/{JOB_FILE}")):
            try:
                jobs.append(Job(**json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, TypeError):
                continue
        return sorted(jobs, key=lambda job: job.created_at)
