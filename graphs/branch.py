"""Writes a job's patch as commits on a new branch of the user's repository without touching their checkout.

Uses a private index file and git plumbing: the working tree, the real index and the current branch stay as
they were.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from core.errors import RepositoryError
from core.git import git, git_output

FALLBACK_IDENTITY = {"GIT_AUTHOR_NAME": "swe-team", "GIT_AUTHOR_EMAIL": "swe-team@localhost"}


def _plumbing(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return git_output(repo, *args, error=RepositoryError, env=env).strip()


def _identity(repo: Path) -> dict[str, str]:
    if git(repo, "config", "user.email").returncode == 0:
        return {}
    return {**FALLBACK_IDENTITY, "GIT_COMMITTER_NAME": "swe-team", "GIT_COMMITTER_EMAIL": "swe-team@localhost"}


def _tree(repo: Path, commit: str) -> str:
    return _plumbing(repo, "rev-parse", f"{commit}^{{tree}}")


def write_branch(
    repo: Path, base_commit: str, branch: str, diff: str, commits: list[tuple[list[str], str]]
) -> list[str]:
    """Apply `diff` on `base_commit` in steps: each (paths, message) commits those paths; `[]` means the rest.

    Returns the new commit ids. An existing branch is left alone when it already holds this exact result.
    """
    with tempfile.TemporaryDirectory(prefix="swe-team-branch-") as tmp:
        patch_file = Path(tmp) / "patch.diff"
        patch_file.write_text(diff if diff.endswith("\n") else diff + "\n", encoding="utf-8")
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index"), **_identity(repo)}
        _plumbing(repo, "read-tree", base_commit, env=env)
        parent = base_commit
        created: list[str] = []
        claimed: list[str] = []
        for paths, message in commits:
            selection = [f"--include={p}" for p in paths] or [f"--exclude={p}" for p in claimed]
            _plumbing(repo, "apply", "--cached", "--whitespace=nowarn", *selection, str(patch_file), env=env)
            claimed += paths
            tree = _plumbing(repo, "write-tree", env=env)
            if tree == _tree(repo, parent):
                continue
            parent = _plumbing(repo, "commit-tree", tree, "-p", parent, "-m", message, env=env)
            created.append(parent)
        existing = git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").stdout.strip()
        if existing and _tree(repo, existing) == _tree(repo, parent):
            return created
        if existing:
            raise RepositoryError(
                f"branch {branch} already exists in {repo} with other content",
                hint=f"delete it (git branch -D {branch}) and run `swe-team resume` again",
            )
        _plumbing(repo, "update-ref", f"refs/heads/{branch}", parent, "")
        return created
