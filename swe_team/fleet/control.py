"""What a user does to a fleet from any machine: submit a job, continue it after a gate, see the queues."""

from __future__ import annotations

import json
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from core.errors import JobError
from core.jobs import FINISHED, Job
from swe_team.fleet.app import TASK_NAME, celery_priority, make_app
from swe_team.fleet.board import FleetBoard, board_for
from swe_team.fleet.keys import with_fleet
from swe_team.job_store import open_job_store

if TYPE_CHECKING:

    from core.settings import Settings
    from swe_team.runner import JobRequest


@cache
def _app_for(settings_json: str) -> Any:
    from core.settings import Settings

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
