"""Git on this machine, one way: `git -C <repo> …` with a timeout, and git's own message when it fails."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from core.errors import SweTeamError

TIMEOUT_S = 120.0


def git(
    repo: str | Path, *args: str, stdin: str | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run git in `repo`; the caller reads the exit code. A git that cannot run at all reads as exit code 127."""
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, input=stdin, env=env,
            timeout=TIMEOUT_S, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(["git", *args], 127, "", str(exc))


def git_bytes(repo: str | Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`git` for binary output or input (archives, patches)."""
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, input=stdin, timeout=TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(["git", *args], 127, b"", str(exc).encode())


def git_output(
    repo: str | Path,
    *args: str,
    error: type[SweTeamError] = SweTeamError,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """The output of a git command that must succeed; else `error` carrying git's message."""
    done = git(repo, *args, stdin=stdin, env=env)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise error(f"`git {' '.join(args)}` failed in {repo}: {detail}")
    return done.stdout


def git_archive(repo: str | Path, commit: str, error: type[SweTeamError] = SweTeamError) -> bytes:
    """A tar of the files at `commit`."""
    done = git_bytes(repo, "archive", "--format=tar", commit)
    if done.returncode != 0:
        raise error(f"git archive of {commit} failed in {repo}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
