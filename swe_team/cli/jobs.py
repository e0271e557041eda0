"""`swe-team run`, `resume`, `jobs` and `show`."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from swe_team.cli import job_options as opts
from swe_team.cli.common import console, guarded, out, settings_for
from swe_team.errors import SweTeamError
from swe_team.processes import pid_alive

if TYPE_CHECKING:
    from swe_team.jobs import Job


def effective_status(job: Job) -> str:
    """A job marked running whose process is gone was killed: it is interrupted and can be resumed.
    A fleet job's process is on some worker: the fleet's leases keep its status true instead."""
    if job.queue:
        return job.status
    return "interrupted" if job.status == "running" and not pid_alive(job.pid) else job.status


def _summary(job: Job, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps({**asdict(job), "status": effective_status(job)}))
        return
    colour = {"resolved": "green", "unresolved": "yellow", "rejected": "red"}.get(job.status, "cyan")
    console.print(f"job [bold]{job.id}[/]: [{colour}]{job.status}[/]")


def _finish(settings: Any, job: Job, as_json: bool) -> None:
    folder = settings.jobs_dir / job.id
    _summary(job, as_json)
    if not as_json:
        for name in ("report.md", "patch.diff", "trajectory.jsonl", "pred.jsonl"):
            if (folder / name).exists():
                console.print(f"  {name:17} {folder / name}")
        if job.status == "resolved":
            console.print(f"  branch            {job.branch} in {job.repo}")


def register(app: typer.Typer) -> None:
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
        as_json: opts.AsJson = False,
    ) -> None:
        """Run a job: plan, localize, reproduce, code, verify, review, and write a branch and a report."""
        from swe_team.approval import NeedsHuman
        from swe_team.chat.session import ChatApprover
        from swe_team.cli.chat import stop_at_gate
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
        )
        runner = JobRunner(settings, ChatApprover(console), console)
        try:
            job = runner.start(request)
        except NeedsHuman as exc:
            stop_at_gate(exc, as_json)
            return
        _finish(settings, job, as_json)

    @app.command()
    @guarded
    def resume(
        job_id: opts.JobId,
        as_json: opts.AsJson = False,
    ) -> None:
        """Continue a job that was interrupted or waits at a gate, from its last checkpoint."""
        from swe_team.approval import NeedsHuman
        from swe_team.chat.session import ChatApprover
        from swe_team.cli.chat import stop_at_gate
        from swe_team.jobs import open_job_store
        from swe_team.runner import JobRunner

        base = settings_for()
        job = open_job_store(base).load(job_id)
        if job.status == "running" and pid_alive(job.pid) and job.pid != os.getpid():
            raise SweTeamError(f"job {job.id} is running in process {job.pid}", hint="wait for it or stop it first")
        settings = settings_for(Path(job.repo) if Path(job.repo).exists() else None, **job.flags)
        try:
            finished = JobRunner(settings, ChatApprover(console), console).resume(job.id)
        except NeedsHuman as exc:
            stop_at_gate(exc, as_json)
            return
        _finish(settings, finished, as_json)

    @app.command("jobs")
    @guarded
    def list_jobs(
        as_json: Annotated[bool, typer.Option("--json")] = False,
        waiting: Annotated[bool, typer.Option("--waiting", help="Only jobs waiting at a gate.")] = False,
    ) -> None:
        """List jobs, newest last."""
        from rich.table import Table

        from swe_team.jobs import open_job_store

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
        from swe_team.jobs import open_job_store

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
