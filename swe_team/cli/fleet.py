"""`swe-team submit`, `worker`, `cancel` and `workers`: running jobs on a fleet of Celery workers."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

import swe_team.cli.job_options as opts
from core.errors import SweTeamError
from swe_team.cli.choices import LogLevel
from swe_team.cli.common import console, guarded, out, settings_for
from swe_team.cli.tables import keep_whole, print_table

app = typer.Typer()


@app.command()
@guarded
def submit(
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
    queue: Annotated[str, typer.Option(help="Queue to put the job on (default: fleet.default_queue).")] = "",
    priority: Annotated[int, typer.Option(help="0 (lowest) to 9 (highest); higher runs first.")] = 5,
    as_json: opts.AsJson = False,
) -> None:
    """Put a job on the fleet's queue and print its id; a `swe-team worker` runs it."""
    from swe_team.fleet.control import submit_job

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
    job = submit_job(settings, request, queue=queue, priority=priority)
    if as_json:
        out.print_json(json.dumps(asdict(job)))
    else:
        print(job.id)


@app.command()
@guarded
def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs this worker runs at once.")] = 2,
    queues: Annotated[str, typer.Option(help="Comma list of queues to serve (default: fleet.default_queue).")] = "",
    name: Annotated[str, typer.Option(help="Worker id (default: host-pid).")] = "",
    loglevel: Annotated[LogLevel, typer.Option(help="Celery log level.")] = "WARNING",
) -> None:
    """Run fleet jobs from the queues until interrupted; a killed worker's jobs are resumed by the others."""
    from swe_team.fleet.worker import run_worker

    if concurrency < 1:
        raise SweTeamError("--concurrency must be at least 1")
    names = [part.strip() for part in queues.split(",") if part.strip()]
    run_worker(settings_for(), concurrency, names, name=name, loglevel=loglevel)


@app.command()
@guarded
def cancel(
    job_id: opts.JobId,
    wait: Annotated[float, typer.Option(help="Seconds to wait for a running job's worker to stop it.")] = 60.0,
    as_json: opts.AsJson = False,
) -> None:
    """Cancel a queued, waiting or running fleet job: its workspace is cleaned and its status is cancelled."""
    from swe_team.fleet.cancel import cancel_job

    job = cancel_job(settings_for(), job_id, wait_s=wait, console=console)
    if as_json:
        out.print_json(json.dumps(asdict(job)))
    elif job.status == "cancelled":
        console.print(f"job [bold]{job.id}[/]: cancelled")
    else:
        raise SweTeamError(
            f"job {job.id} is still {job.status} after {wait:.0f} s",
            hint="its worker stops it at the next step; check with `swe-team jobs`",
        )


@app.command("workers")
@guarded
def list_workers(
    as_json: Annotated[bool, typer.Option("--json", help="Print the workers as a JSON list.")] = False,
) -> None:
    """List the live workers of the fleet and the jobs each one runs."""
    from rich.table import Table

    from swe_team.fleet.board import board_for
    from swe_team.fleet.keys import with_fleet

    workers = board_for(with_fleet(settings_for())).live_workers()
    if as_json:
        out.print_json(json.dumps(workers))
        return
    table = Table("worker", "host", "queues", "slots", "running", "up")
    for entry in workers:
        up = time.time() - float(entry.get("started_at", time.time()))
        running = entry.get("running", [])
        table.add_row(
            escape(entry["id"]),
            escape(str(entry.get("host", ""))),
            escape(",".join(entry.get("queues", []))),
            f"{len(running)}/{entry.get('concurrency', '?')}",
            escape(" ".join(running) or "idle"),
            f"{up:0.0f}s",
        )
    if not workers:
        out.print("no live workers — start one with `swe-team worker`")
        return
    keep_whole(table, "worker", [entry["id"] for entry in workers])
    print_table(table, out)
