"""`swe-team chat JOB`, `swe-team approve JOB`, `swe-team reject JOB`: answer a job that waits at a gate.

Exit codes: 0 the job went on and finished; 1 an error; 3 (`EXIT_WAITING`) the job stopped at a gate again.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from swe_team.cli.common import console, drive, guarded, settings_for


def _decide_and_continue(job_id: str, decision: dict[str, Any], as_json: bool) -> None:
    from swe_team.approval import record_decision
    from swe_team.chat.session import ChatApprover
    from swe_team.runner import continue_job

    settings = settings_for()
    job = record_decision(settings, job_id, decision)
    if job.queue:
        from swe_team.fleet.control import continue_in_fleet

        continue_in_fleet(settings, job)
        console.print(f"recorded: [bold]{decision['action']}[/] at the {job.gate} gate of job {job.id}; requeued")
        return
    console.print(f"recorded: [bold]{decision['action']}[/] at the {job.gate} gate of job {job.id}; continuing")
    drive(settings, lambda: continue_job(job, ChatApprover(console), console), as_json)


app = typer.Typer()


@app.command()
@guarded
def chat(
    job_id: Annotated[str, typer.Argument(help="A job waiting at a gate (a unique prefix is enough).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the job record as JSON at the end.")] = False,
) -> None:
    """Reopen a job waiting at a gate: see the evidence, talk to the team, decide, and let the job go on."""
    from core.errors import SweTeamError
    from swe_team.approval import waiting_job
    from swe_team.chat.screen import load_gate_screen
    from swe_team.chat.session import ChatApprover
    from swe_team.runner import continue_job

    approver = ChatApprover(console)
    if not approver.interactive:
        raise SweTeamError(
            "swe-team chat needs a terminal", hint="from a script use `swe-team approve` or `swe-team reject`"
        )
    base = settings_for()
    job = waiting_job(base, job_id)
    screen = load_gate_screen(base.jobs_dir / job.id)
    if screen is not None and screen.get("gate") == job.gate:
        approver.show(screen)
    console.print("[dim]loading the job…[/]")
    drive(base, lambda: continue_job(job, approver, console), as_json)


@app.command()
@guarded
def approve(
    job_id: Annotated[str, typer.Argument(help="A job waiting at a gate.")],
    comment: Annotated[str, typer.Option(help="A note for the next role.")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Approve the gate a job waits at, without the chat, and continue the job here."""
    _decide_and_continue(job_id, {"action": "approve", "comment": comment}, as_json)


@app.command()
@guarded
def reject(
    job_id: Annotated[str, typer.Argument(help="A job waiting at a gate.")],
    reason: Annotated[str, typer.Option(help="Why: it goes into the report and the memory.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Reject at the gate a job waits at: the job ends with your reason."""
    _decide_and_continue(job_id, {"action": "reject", "comment": reason}, as_json)
