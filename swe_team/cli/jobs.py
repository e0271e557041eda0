"""`swe-team run`, `resume`, `jobs` and `show`."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from swe_team.cli.common import console, guarded, out, settings_for
from swe_team.errors import SweTeamError
from swe_team.jobs import Job
from swe_team.processes import pid_alive


def effective_status(job: Job) -> str:
    """A job marked running whose process is gone was killed: it is interrupted and can be resumed.
    A fleet job's process is on some worker: the fleet's leases keep its status true instead."""
    if job.queue:
        return job.status
    return "interrupted" if job.status == "running" and not pid_alive(job.pid) else job.status


def read_task(task: str | None, task_file: Path | None) -> str:
    if bool(task) == bool(task_file):
        raise SweTeamError("give the task either as --task TEXT or as --task-file FILE (exactly one)")
    if task_file is not None:
        if not task_file.is_file():
            raise SweTeamError(f"task file {task_file} does not exist")
        return task_file.read_text(encoding="utf-8").strip()
    return (task or "").strip()


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
        repo: Annotated[Path, typer.Option(help="The git repository to work on.")] = Path("."),
        task: Annotated[str | None, typer.Option(help="The bug report or feature request.")] = None,
        task_file: Annotated[Path | None, typer.Option(help="Read the task from this file.")] = None,
        kind: Annotated[str, typer.Option(help="bug, feature or auto (the planner decides).")] = "auto",
        approve: Annotated[
            str,
            typer.Option(
                help="Gates that ask you: auto, all, or a list of plan, locations, patch, final, patch-on-fail "
                "(ask at the patch gate only when tests failed or the reviewer did not approve)."
            ),
        ] = "",
        yes_destructive: Annotated[
            bool, typer.Option(help="Write the branch into your repository without asking (even under auto).")
        ] = False,
        model: Annotated[str | None, typer.Option(help="litellm model for both aliases.")] = None,
        api_base: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")] = None,
        max_iterations: Annotated[int | None, typer.Option(help="Coder ↔ tester rounds.")] = None,
        workspace: Annotated[str | None, typer.Option(help="auto, local or docker.")] = None,
        test_command: Annotated[str | None, typer.Option(help="How to run the tests.")] = None,
        instance_id: Annotated[str, typer.Option(help="Name for pred.jsonl (default: job id).")] = "",
        allow_dirty: Annotated[bool, typer.Option(help="Work from HEAD even if the checkout has changes.")] = False,
        keep_workspace: Annotated[bool, typer.Option(help="Keep the workspace after the job.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the job record as JSON.")] = False,
    ) -> None:
        """Run a job: plan, localize, reproduce, code, verify, review, and write a branch and a report."""
        from swe_team.approval import NeedsHuman
        from swe_team.chat.session import ChatApprover
        from swe_team.cli.chat import stop_at_gate
        from swe_team.runner import JobRequest, JobRunner

        if kind not in ("auto", "bug", "feature"):
            raise SweTeamError(f"--kind must be bug, feature or auto, not {kind!r}")
        flags = {
            "model": model,
            "api_base": api_base,
            "budgets.max_iterations": max_iterations,
            "workspace": workspace,
            "test_command": test_command,
            "approve": approve or None,
        }
        settings = settings_for(repo.resolve() if repo.exists() else None, **flags)
        request = JobRequest(
            repo=repo,
            task=read_task(task, task_file),
            kind=kind,
            approve=approve or settings.approve,
            flags={k: v for k, v in flags.items() if v is not None},
            instance_id=instance_id,
            allow_dirty=allow_dirty,
            keep_workspace=keep_workspace,
            yes_destructive=yes_destructive,
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
        job_id: Annotated[str, typer.Argument(help="Job id (a unique prefix is enough).")],
        as_json: Annotated[bool, typer.Option("--json")] = False,
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
                job.id, effective_status(job), job.gate, place, view.get("worker", ""), Path(job.repo).name,
                first_line, created,
            )
        out.print(table if jobs else "no jobs yet — start one with `swe-team run`")

    @app.command()
    @guarded
    def show(
        job_id: Annotated[str, typer.Argument(help="Job id (a unique prefix is enough).")],
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
