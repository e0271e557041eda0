"""The options `run` and `submit` share, and the `JobRequest` they make of them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import SweTeamError
from swe_team.cli.choices import APPROVE_HELP, WorkspaceName, approve_policy
from swe_team.cli.common import read_text_file, settings_for

if TYPE_CHECKING:
    from core.settings import Settings
    from swe_team.runner import JobRequest

Repo = Annotated[Path, typer.Option(help="The git repository to work on (the same path on fleet workers).")]
Task = Annotated[
    str | None,
    typer.Option(
        help="The bug report or feature request, or the URL of a GitHub or GitLab issue to read it from "
        "(a token in GITHUB_TOKEN / GITLAB_TOKEN for private repositories)."
    ),
]
TaskFile = Annotated[Path | None, typer.Option(help="Read the task from this file.")]
Kind = Annotated[
    str, typer.Option(metavar="<auto|bug|feature>", help="What the task is; auto lets the planner decide.")
]
Approve = Annotated[
    str,
    typer.Option(
        metavar="<gates>",
        show_default="the approve setting",
        help=f"Gates that ask you: {APPROVE_HELP} (patch-on-fail asks at the patch gate only when tests failed "
        "or the reviewer did not approve).",
    ),
]
YesDestructive = Annotated[
    bool, typer.Option(help="Write the branch into your repository without asking (even under auto).")
]
Model = Annotated[str | None, typer.Option(help="litellm model for both aliases.")]
ApiBase = Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")]
MaxIterations = Annotated[int | None, typer.Option(help="Coder ↔ tester rounds.")]
Candidates = Annotated[
    int | None,
    typer.Option(help="Candidate patches to make after the reproduction test; the best is kept."),
]
Parallel = Annotated[int | None, typer.Option(help="Candidates made at once, each in its own workspace.")]
WorkspaceKind = Annotated[
    WorkspaceName | None, typer.Option(show_default="the workspace setting", help="Where commands run.")
]
TestCommand = Annotated[str | None, typer.Option(help="How to run the tests.")]
InstanceId = Annotated[str, typer.Option(help="Name for pred.jsonl (default: job id).")]
AllowDirty = Annotated[bool, typer.Option(help="Work from HEAD even if the checkout has changes.")]
KeepWorkspace = Annotated[bool, typer.Option(help="Keep the workspace after the job.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the job record as JSON.")]
DryRun = Annotated[
    bool, typer.Option(help="Plan and locate only: print the plan and the locations, edit nothing, write no branch.")
]


def complete_job_id(incomplete: str) -> list[str]:
    """Shell completion of a job id: the job folders whose name starts with what was typed, newest first."""
    try:
        folders = settings_for().jobs_dir.iterdir()
        return sorted(
            (p.name for p in folders if p.name.startswith(incomplete) and (p / "job.json").is_file()), reverse=True
        )
    except Exception:  # a broken configuration must not break the user's shell
        return []


JobId = Annotated[str, typer.Argument(help="Job id (a unique prefix is enough).", autocompletion=complete_job_id)]


def read_task(task: str | None, task_file: Path | None, settings: Settings) -> str:
    """The task's text: given, read from a file, or fetched from the GitHub or GitLab issue its URL names."""
    if bool(task) == bool(task_file):
        raise SweTeamError("give the task either as --task TEXT or as --task-file FILE (exactly one)")
    if task_file is not None:
        return read_text_file(task_file, "task file").strip()
    text = (task or "").strip()
    if re.fullmatch(r"https?://\S+", text):
        from swe_team.cli.forge import fetch_issue

        return fetch_issue(text, settings.forge).strip()
    return text


def job_request(
    *,
    repo: Path,
    task: str | None,
    task_file: Path | None,
    kind: str,
    approve: str,
    yes_destructive: bool,
    model: str | None,
    api_base: str | None,
    max_iterations: int | None,
    workspace: str | None,
    test_command: str | None,
    instance_id: str,
    allow_dirty: bool,
    keep_workspace: bool,
    dry_run: bool = False,
    candidates: int | None = None,
    parallel: int | None = None,
) -> tuple[Settings, JobRequest]:
    """The settings the job runs with (flags on top of every layer) and the request to start it."""
    from swe_team.runner import JobRequest

    if kind not in ("auto", "bug", "feature"):
        raise SweTeamError(f"--kind must be bug, feature or auto, not {kind!r}")
    try:
        approve = approve_policy(approve)
    except typer.BadParameter as exc:
        raise SweTeamError(f"--approve: {exc.message}") from exc
    flags = {
        "model": model,
        "api_base": api_base,
        "budgets.max_iterations": max_iterations,
        "workspace": workspace,
        "test_command": test_command,
        "approve": approve or None,
        "search.candidates": candidates,
        "search.parallel": parallel,
    }
    settings = settings_for(repo.resolve() if repo.exists() else None, **flags)
    request = JobRequest(
        repo=repo,
        task=read_task(task, task_file, settings),
        kind=kind,
        approve=approve or settings.approve,
        flags={k: v for k, v in flags.items() if v is not None},
        instance_id=instance_id,
        allow_dirty=allow_dirty,
        keep_workspace=keep_workspace,
        yes_destructive=yes_destructive,
        dry_run=dry_run,
    )
    return settings, request
