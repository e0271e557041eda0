"""`swe-team pr JOB`: push a job's branch and open a pull (GitHub) or merge (GitLab) request for it.

Without a token or a remote recognized as GitHub's or GitLab's, it prints the exact `git push` and the request's
title and body instead, and changes nothing.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import SweTeamError
from core.git import git
from swe_team.cli.common import console, guarded, out, settings_for
from swe_team.cli.job_options import JobId

if TYPE_CHECKING:
    from core.jobs import Job
    from swe_team.cli.forge import ForgeRepo

app = typer.Typer()

TITLE_LIMIT = 72
BODY_SECTIONS = ("Root cause", "Change", "Tests", "Review")


@dataclass(frozen=True)
class Request:
    title: str
    body: str


def report_sections(report: str) -> tuple[str, dict[str, str]]:
    """The text before the first `## ` heading, and each section's text by its heading."""
    head, *rest = re.split(r"^## ", report, flags=re.MULTILINE)
    sections = {}
    for chunk in rest:
        heading, _, text = chunk.partition("\n")
        sections[heading.strip()] = text.strip()
    return head.strip(), sections


def cut_at_word(text: str, limit: int = TITLE_LIMIT) -> str:
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    return line[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def _title(job: Job, sections: dict[str, str]) -> str:
    """The subject of the branch's last commit (the fix; the tests come first), else the change's first line."""
    subject = git(job.repo, "log", "-1", "--format=%s", job.branch).stdout.strip()
    return cut_at_word(subject or sections.get("Change", "").partition("\n")[0] or job.task.partition("\n")[0])


def pull_request(job: Job, report: str) -> Request:
    """Title and body: the fix's commit subject; the report's outcome, root cause, change, tests and review."""
    head, sections = report_sections(report)
    outcome = "\n".join(line for line in head.splitlines() if line.startswith("- "))
    parts = [outcome] + [f"## {name}\n{sections[name]}" for name in BODY_SECTIONS if sections.get(name)]
    parts.append(f"---\nMade by swe-team, job `{job.id}` (its report.md has the plan, decisions and usage).")
    return Request(_title(job, sections), "\n\n".join(part for part in parts if part.strip()) + "\n")


def _remote_url(repo: Path, remote: str) -> str:
    return git(repo, "config", "--get", f"remote.{remote}.url").stdout.strip()


def _push(repo: Path, remote: str, branch: str) -> None:
    done = git(repo, "push", remote, f"refs/heads/{branch}:refs/heads/{branch}")
    if done.returncode != 0:
        detail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-4:])
        raise SweTeamError(
            f"`git push {remote} {branch}` failed in {repo}: {detail}",
            hint="check that you may push to the remote (credentials, permissions), then run this again",
        )


def _why_not_the_api(url: str, remote: str, forge: ForgeRepo | None, token: str) -> str:
    if not url:
        return f"the repository has no remote {remote!r}"
    if forge is None:
        return f"the remote {remote!r} ({url}) is not a GitHub or GitLab repository swe-team knows (forge.*_hosts)"
    variables = {"github": "GITHUB_TOKEN or GH_TOKEN", "gitlab": "GITLAB_TOKEN"}[forge.kind]
    return f"no {forge.name} token: set {variables} (or forge.{forge.kind}_token)" if not token else ""


def _plain(text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _print_by_hand(job: Job, request: Request, remote: str, reason: str, page: str, as_json: bool) -> None:
    push = f"git -C {shlex.quote(job.repo)} push {shlex.quote(remote)} {shlex.quote(job.branch)}"
    if as_json:
        out.print_json(json.dumps({"opened": False, "reason": reason, "push": push, "page": page, **vars(request)}))
        return
    console.print(f"not opening the request through an API: {reason}", markup=False)
    _plain(f"push the branch:\n\n  {push}\n")
    _plain("then open a pull request" + (f" at {page}" if page else "") + " with this title and body:\n")
    _plain(f"{request.title}\n\n{request.body}")


@app.command()
@guarded
def pr(
    job_id: JobId,
    remote: Annotated[str, typer.Option(help="The git remote to push to (default: forge.remote, origin).")] = "",
    base: Annotated[str, typer.Option(help="Branch to merge into (default: the forge's default branch).")] = "",
    draft: Annotated[bool, typer.Option(help="Open it as a draft.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was done as JSON.")] = False,
) -> None:
    """Push a finished job's branch and open a pull request (GitHub) or merge request (GitLab) for it, when a
    token is configured; else print the exact `git push` and the request's title and body."""
    from swe_team.cli.forge import ForgeClient, parse_remote_url, token_for
    from swe_team.job_store import open_job_store

    settings = settings_for()
    job = open_job_store(settings).load(job_id)
    repo = Path(job.repo)
    if not repo.is_dir():
        raise SweTeamError(f"job {job.id}'s repository {repo} is not there any more", hint="was it moved or deleted?")
    if git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{job.branch}").returncode != 0:
        raise SweTeamError(
            f"job {job.id} ({job.status}) has no branch {job.branch} in {repo}",
            hint="a branch is written when a job ends resolved and you approve it at the final gate "
            f"(`swe-team show {job.id}` says how it ended)",
        )
    report = settings.jobs_dir / job.id / "report.md"
    if not report.is_file():
        raise SweTeamError(f"job {job.id} has no report.md", hint=f"see `swe-team show {job.id}`")
    request = pull_request(job, report.read_text(encoding="utf-8"))
    remote = remote or settings.forge.remote
    url = _remote_url(repo, remote)
    forge = parse_remote_url(url, settings.forge) if url else None
    token = token_for(forge.kind, settings.forge) if forge else ""
    client = ForgeClient(forge, settings.forge) if forge else None
    if client is None or not token:
        page = client.new_request_page(job.branch) if client else ""
        _print_by_hand(job, request, remote, _why_not_the_api(url, remote, forge, token), page, as_json)
        return
    _push(repo, remote, job.branch)
    opened = client.open_pull_request(job.branch, base or client.default_branch(), request.title, request.body, draft)
    if as_json:
        out.print_json(json.dumps({"opened": True, "url": opened, "pushed": f"{remote} {job.branch}", **vars(request)}))
        return
    console.print(f"pushed {job.branch} to {remote}", markup=False)
    _plain(opened)
