"""The repository a command works on: the folder given, or else the git repository the current folder is in."""

from __future__ import annotations

from pathlib import Path

from core.errors import RepositoryError
from core.git import git

HERE = "the git repository you are in"
"""What `--help` shows as the default of a repository option."""


def repository_or_here(given: Path | None, naming: str = "--repo PATH") -> Path:
    """`given` as it is, or the top folder of the git repository around the current folder; outside one, a
    `RepositoryError` rather than quietly working on whatever folder the shell happens to be in."""
    if given is not None:
        return given
    here = Path.cwd()
    top = git(here, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise RepositoryError(
            f"the current folder {here} is not inside a git repository",
            hint=f"run the command inside your repository, or name the folder: {naming}",
        )
    return Path(top.stdout.strip())
