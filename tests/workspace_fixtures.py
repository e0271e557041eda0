"""Real git repositories and local workspaces for the workspace and tool tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tools.base import ToolContext
from workspaces.local import LocalWorkspace

SAMPLE_FILES = {
    "README.md": "# shop\n",
    ".gitignore": "*.log\nbuild/\n",
    "shop/__init__.py": "",
    "shop/cart.py": (
        "def total(items):\n"
        "    result = 0\n"
        "    for item in items:\n"
        "        result += item.price\n"
        "    return result\n"
        "\n"
        "\n"
        "def count(items):\n"
        "    result = 0\n"
        "    for item in items:\n"
        "        result += 1\n"
        "    return result\n"
    ),
    "scripts/run.sh": "#!/bin/sh\necho run\n",
}


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return completed.stdout


def make_repo(
    where: Path, files: dict[str, str] | dict[str, bytes] | None = None, executable: tuple[str, ...] = ()
) -> Path:
    """A git repository with `files` committed on branch `main`."""
    repo = where / "repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "Dev")
    for name, content in (SAMPLE_FILES if files is None else files).items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    for name in executable or (("scripts/run.sh",) if files is None else ()):
        (repo / name).chmod(0o755)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    return repo


def open_workspace(where: Path, repo: Path, job_id: str = "job-1") -> LocalWorkspace:
    return LocalWorkspace.create(
        job_id=job_id, repo_path=repo, base_commit="HEAD", job_dir=where / "jobs" / job_id, settings=None
    )


def tool_context(workspace: LocalWorkspace, changed: list[str] | None = None) -> ToolContext:
    context = ToolContext(workspace=workspace, command_timeout_s=60.0)
    if changed is not None:
        context.file_listeners.append(changed.extend)
    return context
