"""What a user does to a fleet from any machine: submit a job, continue it after a gate, cancel it."""

from __future__ import annotations

import json
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from swe_team.errors import JobError
from swe_team.fleet.app import TASK_NAME, celery_priority, make_app
from swe_team.fleet.board import FleetBoard
from swe_team.fleet.keys import keys_for, redis_client
from swe_team.jobs import FINISHED, Job, JobStore, open_job_store

if TYPE_CHECKING:
    from rich.console import Console

    from swe_team.config import Settings
    from swe_team.runner import JobRequest


class JobCancelled(JobError):
    """The job was cancelled while it ran; its worker stops at the next step."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} was cancelled")
        self.job_id = job_id


def with_fleet(settings: Settings) -> Settings:
    """These settings with fleet job records switched on (every fleet command needs them)."""
    if settings.fleet.enabled:
        return settings
    return settings.model_copy(update={"fleet": settings.fleet.model_copy(update={"enabled": True})})


def board_for(settings: Settings) -> FleetBoard:
    return FleetBoard(redis_client(settings), keys_for(settings))


@cache
def _app_for(settings_json: str) -> Any:
    from swe_team.config import Settings

    return make_app(Settings.model_validate(json.loads(settings_json)))


def app_for(settings: Settings) -> Any:
    """One Celery app per broker and fleet settings in this process (creating one costs a connection pool)."""
    data = settings.model_dump(mode="json", include={"redis_url", "fleet"})
    data["redis_url"] = settings.redis_url.get_secret_value()
    data["fleet"]["broker_url"] = settings.fleet.broker_url.get_secret_value()
    return _app_for(json.dumps(data, sort_keys=True))


def enqueue(settings: Settings, job: Job, board: FleetBoard | None = None) -> None:
    """Put the job on its queue (again): a worker picks it up and runs it from its last checkpoint."""
    board = board or board_for(settings)
    board.mark_queued(job.id, job.queue, job.priority)
    board.record(job.id, "queued", queue=job.queue, priority=job.priority)
    app_for(settings).send_task(
        TASK_NAME, args=[job.id], queue=job.queue, priority=celery_priority(job.priority),
        task_id=f"{job.id}.{time.time_ns()}",
    )


def submit_job(settings: Settings, request: JobRequest, queue: str = "", priority: int = 5) -> Job:
    """Record a job as queued and enqueue it; returns at once with the job (its id is what the user needs)."""
    from swe_team.approval import NoHumanApprover
    from swe_team.runner import JobRunner

    if not 0 <= priority <= 9:
        raise JobError(f"--priority must be between 0 (lowest) and 9 (highest), not {priority}")
    settings = with_fleet(settings)
    store = open_job_store(settings)
    job = JobRunner(settings, NoHumanApprover(), store=store).create(request, status="queued")
    job.queue, job.priority = queue or settings.fleet.default_queue, priority
    store.save(job)
    enqueue(settings, job)
    return job


def continue_in_fleet(settings: Settings, job: Job) -> None:
    """After `record_decision`: hand the stored decision to the fleet and requeue the job, from any machine."""
    from swe_team.approval import PENDING_FILE

    settings = with_fleet(settings)
    board = board_for(settings)
    pending = settings.jobs_dir / job.id / PENDING_FILE
    if pending.is_file():
        board.client.set(board.keys.decision(job.id), pending.read_text(encoding="utf-8"))
    enqueue(settings, job, board)


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
    from swe_team.approval import NoHumanApprover, job_settings
    from swe_team.runner import JobRunner
    from workspaces.base import WorkspaceInfo
    from workspaces.registry import reattach_workspace

    runner = JobRunner(with_fleet(job_settings(job)), NoHumanApprover(), store=store)
    state = runner.saved_state(job) if job.status != "queued" else {}
    if state.get("workspace"):
        reattach_workspace(WorkspaceInfo.from_dict(state["workspace"]), runner.settings).close()
    job.status, job.pid, job.gate = "cancelled", 0, ""
    store.save(job)
    if job.queue:
        board.unqueue(job.id, job.queue)
    board.record(job.id, "cancelled")
    return job


def fleet_view(settings: Settings, jobs: list[Job]) -> dict[str, dict[str, Any]]:
    """For fleet jobs not finished: queue position (1 = next), the worker running it, and its state."""
    board = board_for(with_fleet(settings))
    view: dict[str, dict[str, Any]] = {}
    for job in jobs:
        if not job.queue or job.status in FINISHED:
            continue
        holder = board.lease_holder(job.id).split("#")[0]
        view[job.id] = {
            "queue": job.queue,
            "priority": job.priority,
            "position": board.position(job.id, job.queue),
            "worker": holder if holder and holder != "cancel" else "",
            "state": job.status,
            "gate": job.gate,
        }
    return view
