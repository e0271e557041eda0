"""Runs one delivered job on a worker: take the lease, continue from the last checkpoint, let go at a gate.

The job continues in its workspace when this machine can reach it; otherwise the workspace backend recreates it
from the last snapshot (`reattach`). A job that reaches a gate with no recorded decision is checkpointed and its
worker released: `continue_in_fleet` requeues it once somebody answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from rich.console import Console

from core.errors import JobError
from core.jobs import FINISHED, JobStore
from swe_team.fleet.board import FleetBoard
from swe_team.fleet.cancel import JobCancelled, finish_cancelled
from swe_team.fleet.keys import with_fleet
from swe_team.fleet.lease import JobLease, LeaseLost
from swe_team.fleet.records import RedisJobRecords
from swe_team.fleet.runtime import WorkerRuntime, current


def run_delivered_job(job_id: str, delivery: str = "") -> str:
    """The worker task's body; returns what happened in one word (for the worker log)."""
    runtime = current()
    records = RedisJobRecords(runtime.client, runtime.keys)
    store = JobStore(runtime.settings.jobs_dir, records)
    try:
        job = store.load(job_id)
    except JobError:
        runtime.board.record(job_id, "unknown", worker=runtime.worker_id)
        return "unknown"
    if job.status in FINISHED:
        runtime.board.record(job_id, "skipped", worker=runtime.worker_id, status=job.status)
        return "skipped"
    lease = JobLease(runtime.client, runtime.keys, job_id, runtime.worker_id, runtime.settings.fleet.lease_seconds)
    if not lease.acquire():
        runtime.board.record(job_id, "duplicate", worker=runtime.worker_id, holder=lease.holder())
        return "duplicate"
    runtime.keeper.hold(lease)
    runtime.job_started(job_id)
    try:
        return _run_leased(runtime, records, lease, delivery)
    finally:
        runtime.keeper.drop(lease)
        lease.release()
        runtime.job_ended(job_id)


def stop_check(lease: JobLease, board: FleetBoard) -> Callable[[], None]:
    def check() -> None:
        lease.check()
        if board.cancel_requested(lease.job_id):
            raise JobCancelled(lease.job_id)

    return check


def _run_leased(runtime: WorkerRuntime, records: RedisJobRecords, lease: JobLease, delivery: str) -> str:
    from swe_team.approval import NeedsHuman, NoHumanApprover, PendingDecisionApprover
    from swe_team.runner import JobRunner, job_settings

    board = runtime.board
    job = JobStore(runtime.settings.jobs_dir, records).load(lease.job_id)
    if job.status in FINISHED:
        board.record(job.id, "skipped", worker=runtime.worker_id, status=job.status)
        return "skipped"
    settings = with_fleet(job_settings(job))
    store = JobStore(settings.jobs_dir, records.fenced(lease))
    if job.queue:
        board.unqueue(job.id, job.queue)
    if board.cancel_requested(job.id):
        finish_cancelled(settings, store, job, board)
        return "cancelled"
    never_started = not job.worker
    job.worker = runtime.worker_id
    store.save(job)
    board.record(job.id, "started", worker=runtime.worker_id, fence=lease.fence, pid=os.getpid(), delivery=delivery)
    _adopt_decision(runtime, store, job.id)
    console = Console(stderr=True, force_terminal=False, force_interactive=False)
    approver = PendingDecisionApprover(store.folder(job.id), NoHumanApprover())
    runner = JobRunner(settings, approver, console, store=store)
    runner.between_steps = stop_check(lease, board)
    try:
        resumable = not never_started and runner.saved_state(job) is not None
        finished = runner.resume(job.id) if resumable else runner.begin(job)
    except NeedsHuman as waiting:
        board.record(job.id, "released", worker=runtime.worker_id, gate=waiting.gate)
        return "waiting"
    except JobCancelled:
        finish_cancelled(settings, store, store.load(job.id), board)
        return "cancelled"
    except LeaseLost:
        board.record(job.id, "lease_lost", worker=runtime.worker_id, fence=lease.fence)
        return "lost"
    except Exception as exc:
        failed = store.load(job.id)
        failed.status, failed.pid = "failed", 0
        store.save(failed)
        board.record(job.id, "failed", worker=runtime.worker_id, error=f"{type(exc).__name__}: {exc}")
        console.print(f"[red]job {job.id} failed on {runtime.worker_id}:[/] {exc}")
        return "failed"
    board.record(job.id, "finished", worker=runtime.worker_id, fence=lease.fence, status=finished.status)
    return finished.status


def _adopt_decision(runtime: WorkerRuntime, store: JobStore, job_id: str) -> None:
    """A decision recorded on another machine becomes this machine's pending decision for the job."""
    from swe_team.approval import PENDING_FILE

    key = runtime.keys.decision(job_id)
    raw = runtime.client.get(key)
    if raw is None:
        return
    path = store.folder(job_id) / PENDING_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(raw, encoding="utf-8")
    os.replace(tmp, path)
    runtime.client.delete(key)
