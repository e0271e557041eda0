"""Jobs: identity, inputs and where their artefacts live (`$SWE_TEAM_HOME/jobs/<id>/`)."""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.errors import ConfigError, JobError
from core.processes import pid_alive

JOB_FILE = "job.json"


def require_writable_home(home: Path) -> None:
    """`home` exists (it is made when missing) and takes new files, or a `ConfigError` saying what to do."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"swe-team's home {home} cannot be used: {exc.strerror or exc}",
            hint="set SWE_TEAM_HOME (or `home` in the config) to a folder you can write",
        ) from exc


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
    """created | queued | running | waiting | resolved | unresolved | failed | rejected | interrupted | cancelled |
    planned (a dry run)"""
    gate: str = ""
    """The gate a waiting job is stopped at."""
    pid: int = 0
    flags: dict[str, Any] = field(default_factory=dict)
    """Setting overrides given on the command line, re-applied on resume."""
    instance_id: str = ""
    """Name used in pred.jsonl (defaults to the job id)."""
    keep_workspace: bool = False
    yes_destructive: bool = False
    """Write the branch into the user's repository without asking at the final gate."""
    dry_run: bool = False
    """`run --dry-run`: plan and locations only, no edits."""
    queue: str = ""
    """Fleet queue the job was submitted to; empty for a job run in-process."""
    priority: int = 0
    """Fleet priority, 0 (lowest) to 9 (highest)."""
    worker: str = ""
    """Fleet worker that runs or last ran the job."""

    @property
    def branch(self) -> str:
        return f"swe-team/{self.id}"


FINISHED = ("resolved", "unresolved", "failed", "rejected", "cancelled", "planned")


def effective_status(job: Job) -> str:
    """A job marked running (or still being created) whose process is gone was killed: it is interrupted and
    can be resumed. A fleet job's process is on some worker: the fleet's leases keep its status true instead."""
    if job.queue:
        return job.status
    return "interrupted" if job.status in ("running", "created") and not pid_alive(job.pid) else job.status


class JobRecords(Protocol):
    """Job records every machine of a fleet can read (Redis); artefacts stay in the job folders."""

    def put(self, job: Job) -> None: ...

    def get(self, job_id: str) -> Job | None:
        """The job with this id or unique id prefix; None when unknown; `JobError` when ambiguous."""
        ...

    def all(self) -> list[Job]: ...


class JobStore:
    """The job folders under `$SWE_TEAM_HOME/jobs`, mirrored to shared `records` when a fleet is configured."""

    def __init__(self, jobs_dir: Path, records: JobRecords | None = None) -> None:
        self.root = jobs_dir
        self.records = records

    def folder(self, job_id: str) -> Path:
        return self.root / job_id

    def create(self, job: Job) -> Path:
        folder = self.folder(job.id)
        folder.mkdir(parents=True, exist_ok=False)
        self.save(job)
        return folder

    def save(self, job: Job) -> None:
        if self.records is not None:
            self.records.put(job)
        self._write(job)

    def _write(self, job: Job) -> None:
        path = self.folder(job.id) / JOB_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(job), indent=2), encoding="utf-8")
        os.replace(tmp, path)

    def load(self, job_id: str) -> Job:
        if self.records is not None:
            shared = self.records.get(job_id)
            if shared is not None:
                self._write(shared)
                return shared
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
        if self.records is not None:
            merged = {job.id: job for job in jobs}
            merged.update({job.id: job for job in self.records.all()})
            jobs = list(merged.values())
        return sorted(jobs, key=lambda job: job.created_at)
