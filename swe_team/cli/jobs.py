"""`swe-team run`, `resume`, `jobs` and `show`."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

import swe_team.cli.job_options as opts
from core.errors import SweTeamError
from core.jobs import effective_status
from core.processes import pid_alive
from swe_team.cli.common import console, drive, guarded, out, settings_for

app = typer.Typer()


@app.command()
@guarded
def run(
    repo: opts.Repo = Path("."),
    task: opts.Task = None,
    task_file: opts.TaskFile = None,
    kind: opts.Kind = "auto",
    approve: opts.Approve = "",
    yes_destructive: opts.YesDestructive = False,
    model: opts.Model = None,
    api_base: opts.ApiBase = None,
    max_iterations: opts.MaxIterations = None,
    workspace: opts.WorkspaceKind = None,
    test_command: opts.TestCommand = None,
    instance_id: opts.InstanceId = "",
    allow_dirty: opts.AllowDirty = False,
    keep_workspace: opts.KeepWorkspace = False,
    dry_run: opts.DryRun = False,
    as_json: opts.AsJson = False,
) -> None:
    """Run a job: plan, localize, reproduce, code, verify, review, and write a branch and a report."""
    from swe_team.chat.session import ChatApprover
    from swe_team.runner import JobRunner

    settings, request = opts.job_request(
        repo=repo,
        task=task,
        task_file=task_file,
        kind=kind,
        approve=approve,
        yes_destructive=yes_destructive,
        model=model,
        api_base=api_base,
        max_iterations=max_iterations,
        workspace=workspace,
        test_command=test_command,
        instance_id=instance_id,
        allow_dirty=allow_dirty,
        keep_workspace=keep_workspace,
        dry_run=dry_run,
    )
    runner = JobRunner(settings, ChatApprover(console), console)
    drive(settings, lambda: runner.start(request), as_json)


@app.command()
@guarded
def resume(
    job_id: opts.JobId,
    as_json: opts.AsJson = False,
) -> None:
    """Continue a job that was interrupted or waits at a gate, from its last checkpoint."""
    from swe_team.chat.session import ChatApprover
    from swe_team.job_store import open_job_store
    from swe_team.runner import JobRunner, job_settings

    job = open_job_store(settings_for()).load(job_id)
    if job.status in ("running", "created") and pid_alive(job.pid) and job.pid != os.getpid():
        raise SweTeamError(f"job {job.id} is running in process {job.pid}", hint="wait for it or stop it first")
    settings = job_settings(job)
    drive(settings, lambda: JobRunner(settings, ChatApprover(console), console).resume(job.id), as_json)


@app.command("jobs")
@guarded
def list_jobs(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    waiting: Annotated[bool, typer.Option("--waiting", help="Only jobs waiting at a gate.")] = False,
) -> None:
    """List jobs, newest last."""
    from rich.table import Table

    from swe_team.job_store import open_job_store

    settings = settings_for()
    jobs = open_job_store(settings).all()
    if waiting:
        jobs = [job for job in jobs if effective_status(job) == "waiting"]
    fleet: dict[str, dict[str, Any]] = {}
    if settings.fleet.enabled:
        from swe_team.fleet.control import fleet_view

        fleet = fleet_view(settings, jobs)
    if as_json:
        out.print_json(
            json.dumps([{**asdict(j), "status": effective_status(j), "fleet": fleet.get(j.id)} for j in jobs])
        )
        return
    table = Table("job", "status", "gate", "queue", "worker", "repository", "task", "created")
    for job in jobs:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at))
        first_line = job.task.splitlines()[0][:50] if job.task else ""
        view = fleet.get(job.id, {})
        place = f"{job.queue} #{view['position']}" if view.get("position") else job.queue
        table.add_row(
            job.id,
            effective_status(job),
            job.gate,
            place,
            view.get("worker", ""),
            Path(job.repo).name,
            first_line,
            created,
        )
    out.print(table if jobs else "no jobs yet — start one with `swe-team run`")


@app.command()
@guarded
def show(
    job_id: opts.JobId,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a job: its record, then its report when it has finished."""
    from rich.markdown import Markdown

    from swe_team.chat.history import decision_table, decisions_of
    from swe_team.job_store import open_job_store

    settings = settings_for()
    job = open_job_store(settings).load(job_id)
    folder = settings.jobs_dir / job.id
    report = folder / "report.md"
    decisions = decisions_of(folder)
    if as_json:
        data: dict[str, Any] = {**asdict(job), "status": effective_status(job), "folder": str(folder)}
        data["decisions"] = decisions
        data["report"] = report.read_text(encoding="utf-8") if report.exists() else None
        out.print_json(json.dumps(data))
        return
    out.print(f"[bold]{job.id}[/] · {effective_status(job)} · {job.repo} @ {job.base_commit[:10]}")
    out.print(f"task: {job.task}")
    if job.gate:
        out.print(f"waiting at the [bold]{job.gate}[/] gate — answer with `swe-team chat {job.id}`")
    if decisions:
        out.print(decision_table(decisions))
    if report.exists():
        out.print(Markdown(report.read_text(encoding="utf-8")))
    else:
        out.print(f"no report yet; artefacts go to {folder}")
