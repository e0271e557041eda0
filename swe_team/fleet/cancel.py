"""Cancelling a fleet job: at once when it is queued or waits at a gate, at its worker's next step when it runs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from core.errors import JobError
from core.jobs import FINISHED, Job, JobStore
from swe_team.fleet.board import FleetBoard, board_for
from swe_team.fleet.keys import with_fleet
from swe_team.job_store import open_job_store

if TYPE_CHECKING:
    from rich.console import Console

    from core.settings import Settings


class JobCancelled(JobError):
    """The job was cancelled while it ran; its worker stops at the next step."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} was cancelled")
        self.job_id = job_id


def cancel_job(settings: Settings, job_id: str, wait_s: float = 60.0, console: Console | None = None) -> Job:
    """Cancel a job: a queued or waiting job at once; a running one at its worker's next step (waits `wait_s`)."""
    from swe_team.fleet.lease import JobLease

    settings = with_fleet(settings)
    store = open_job_store(settings)
    job = store.load(job_id)
    if job.status in FINISHED:
        raise JobError(f"job {job.id} already finished ({job.status})", hint=f"see `swe-team show {job.id}`")
    if not job.queue and job.status == "running":
        raise JobError(
            f"job {job.id} runs in process {job.pid} (started with `swe-team run`), not in the fleet",
            hint="stop it with Ctrl-C in its terminal",
        )
    board = board_for(settings)
    board.request_cancel(job.id)
    lease = JobLease(board.client, board.keys, job.id, "cancel", settings.fleet.lease_seconds)
    if lease.acquire():
        try:
            return finish_cancelled(settings, store, store.load(job.id), board)
        finally:
            lease.release()
    if console is not None:
        holder = board.lease_holder(job.id).split("#")[0]
        console.print(f"job {job.id} is running on {holder}: it stops at its next step")
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        job = store.load(job.id)
        if job.status == "cancelled":
            return job
        time.sleep(0.2)
    return job


def finish_cancelled(settings: Settings, store: JobStore, job: Job, board: FleetBoard) -> Job:
    """Close the job's workspace (if it has one), mark it cancelled and take it off its queue."""
    from swe_team.approval import NoHumanApprover
    from swe_team.runner import JobRunner, job_settings
    from workspaces.base import WorkspaceInfo
    from workspaces.registry import reattach_workspace

    runner = JobRunner(with_fleet(job_settings(job)), NoHumanApprover(), store=store)
    state = runner.saved_state(job) if job.status != "queued" else None
    if state is not None and state.workspace:
        reattach_workspace(WorkspaceInfo.from_dict(state.workspace), runner.settings).close()
    job.status, job.pid, job.gate = "cancelled", 0, ""
    store.save(job)
    if job.queue:
        board.unqueue(job.id, job.queue)
    board.record(job.id, "cancelled")
    return job
