"""Candidate searches driven from outside the graph: a job context whose candidates run in Docker (or local)
workspaces against a scripted model whose every answer is the same, so candidates made at once may take the
answers in any order."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any

from core.jobs import Job
from core.search_settings import SearchSettings
from core.settings import ModelAlias, ModelSettings, Settings
from core.state import TeamState
from graphs.context import TeamContext
from harness.team_context import context_for
from workspaces.registry import create_workspace

SEEN = "seen"
COUNT_FILE = "seen_count.txt"


def marking_step(hold_s: float, model_delay_s: float = 0.0) -> dict[str, Any]:
    """One coder answer that is a whole candidate: mark the workspace with the machine's name, wait `hold_s` so
    that candidates made at once overlap, count the marks it sees, and submit."""
    command = f"mkdir -p {SEEN} && hostname > {SEEN}/$(hostname) && sleep {hold_s} && ls {SEEN} | wc -l > {COUNT_FILE}"
    calls = [
        {"name": "run_command", "arguments": {"command": command}},
        {"name": "submit", "arguments": {"summary": "marked the workspace", "root_cause": "none"}},
    ]
    return {"expect": {"role": "coder"}, "response": {"tool_calls": calls}, "delay_s": model_delay_s}


def small_repo(where: Path) -> Path:
    """A git repository with one module and no dependencies."""
    repo = where / "repo"
    repo.mkdir(parents=True)
    (repo / "app.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "app"]):
        subprocess.run(["git", "-c", "user.name=dev", "-c", "user.email=dev@example.com", *args], cwd=repo, check=True)
    return repo


def search_context(
    where: Path, api_base: str, backend: str, search: SearchSettings, settings: Settings | None = None
) -> tuple[TeamContext, TeamState]:
    """A job on `small_repo` in a `backend` workspace, its candidates to be made as `search` says."""
    alias = ModelAlias(api_base=api_base, context_window=16384, timeout_s=60)
    base = settings or Settings(home=where / "home")
    settings = base.model_copy(
        update={
            "workspace": backend,
            "models": ModelSettings(instruct=alias, reasoning=alias, retries=0),
            "search": search,
        }
    )
    repo = small_repo(where)
    job = Job(id=f"search-{uuid.uuid4().hex[:8]}", repo=str(repo), task="mark the workspace", base_commit="HEAD")
    job_dir = settings.jobs_dir / job.id
    workspace = create_workspace(
        backend, job_id=job.id, repo_path=repo, base_commit="HEAD", job_dir=job_dir, settings=settings
    )
    context = context_for(settings, job, workspace)
    state = TeamState(
        job_id=job.id,
        task=job.task,
        workspace=workspace.info.to_dict(),
        search_candidates=search.candidates,
        test_command="true",
    )
    return context, state
