"""`swe-team run`, `resume`, `jobs` and `show`."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

import swe_team.cli.job_options as opts
from core.errors import SweTeamError
from core.jobs import effective_status
from core.processes import pid_alive
from swe_team.cli.common import console, drive, guarded, out, settings_for
from swe_team.cli.tables import keep_whole, print_table

if TYPE_CHECKING:
    from rich.table import Table

    from core.jobs import Job

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
    candidates: opts.Candidates = None,
    parallel: opts.Parallel = None,
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
        candidates=candidates,
        parallel=parallel,
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the job records as a JSON list.")] = False,
    waiting: Annotated[bool, typer.Option("--waiting", help="Only jobs waiting at a gate.")] = False,
) -> None:
    """List jobs, newest last."""
    from swe_team.job_store import open_job_store

    settings = settings_for()
    every_job = open_job_store(settings).all()
    jobs = [job for job in every_job if effective_status(job) == "waiting"] if waiting else every_job
    fleet: dict[str, dict[str, Any]] = {}
    if settings.fleet.enabled:
        from swe_team.fleet.control import fleet_view

        fleet = fleet_view(settings, jobs)
    if as_json:
        out.print_json(
            json.dumps([{**asdict(j), "status": effective_status(j), "fleet": fleet.get(j.id)} for j in jobs])
        )
    elif jobs:
        print_table(_jobs_table(jobs, fleet), out)
    else:
        out.print(_nothing_listed(len(every_job), waiting))


def _nothing_listed(job_count: int, waiting: bool) -> str:
    if waiting and job_count:
        return f"no job is waiting at a gate ({job_count} job(s) in all: `swe-team jobs` lists them)"
    return "no jobs yet — start one with `swe-team run`"


def _jobs_table(jobs: list[Job], fleet: dict[str, dict[str, Any]]) -> Table:
    from rich.table import Table

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
            escape(place),
            escape(view.get("worker", "")),
            escape(Path(job.repo).name),
            escape(first_line),
            created,
        )
    keep_whole(table, "job", [job.id for job in jobs])
    return table


@app.command()
@guarded
def show(
    job_id: opts.JobId,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record, decisions and report as JSON.")] = False,
) -> None:
    """Show a job: its record, then its report when it has finished."""
    from rich.markdown import Markdown

    from swe_team.approval import answer_command
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
    out.print(f"[bold]{job.id}[/] · {effective_status(job)} · {escape(job.repo)} @ {job.base_commit[:10]}")
    out.print(f"task: {escape(job.task)}")
    if job.gate:
        out.print(f"waiting at the [bold]{job.gate}[/] gate — answer with `{answer_command(job)}`")
    if decisions:
        out.print(decision_table(decisions))
    if report.exists():
        out.print(Markdown(report.read_text(encoding="utf-8")))
    else:
        out.print(f"no report yet; artefacts go to {escape(str(folder))}")
