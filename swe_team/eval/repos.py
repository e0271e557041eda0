"""Where an instance's repository comes from: a folder of mirrors or clones (`--repos`), else its clone URL.

Folders `owner+name/repo` (bare mirrors), `owner+name`, `owner__name` and `name` are recognised. The source is
never written to: each repository gets one shared, checkout-less clone in the cache (objects borrowed from the
source), which is what workspaces are opened on; `checkout` makes a full working copy at a commit when a job
needs one.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from core.errors import RepositoryError
from core.git import git

CLONE_URL = "https://github.com/{repo}.git"


def candidates(repos_dir: Path, repo: str) -> list[Path]:
    owner, _, name = repo.partition("/")
    return [
        repos_dir / f"{owner}+{name}" / "repo",
        repos_dir / f"{owner}+{name}",
        repos_dir / f"{owner}__{name}",
        repos_dir / name,
    ]


def _is_git(path: Path) -> bool:
    return path.is_dir() and git(path, "rev-parse", "--git-dir").returncode == 0


def _has_commit(path: Path, commit: str) -> bool:
    return git(path, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


class KeyedLocks:
    """One lock per key (a repository), made on first use; safe to call from several threads."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


class RepositorySource:
    """Finds and prepares the repositories of a dataset; safe to use from several threads."""

    def __init__(self, repos_dir: Path | None, cache_dir: Path) -> None:
        self.repos_dir = repos_dir
        self.cache_dir = cache_dir
        self._lock = KeyedLocks()

    def origin(self, repo: str) -> str:
        """The mirror or clone of `repo` under `--repos`, or its clone URL when no folder was given."""
        if self.repos_dir is None:
            return CLONE_URL.format(repo=repo)
        for path in candidates(self.repos_dir, repo):
            if _is_git(path):
                return str(path)
        looked = ", ".join(str(p.relative_to(self.repos_dir)) for p in candidates(self.repos_dir, repo))
        raise RepositoryError(
            f"no clone of {repo} in {self.repos_dir} (looked for {looked})",
            hint=f"clone or mirror it there (`git clone --mirror {CLONE_URL.format(repo=repo)} "
            f"{self.repos_dir}/{repo.replace('/', '+')}/repo`), or leave out --repos to clone from the URL",
        )

    def missing(self, repos: set[str]) -> list[str]:
        """The repositories `--repos` has no clone of (none when repositories come from their URLs)."""
        absent = []
        for repo in sorted(repos):
            try:
                self.origin(repo)
            except RepositoryError:
                absent.append(repo)
        return absent

    def prepared(self, repo: str, commit: str) -> Path:
        """A checkout-less clone of `repo` that has `commit`, made once and reused."""
        with self._lock(repo):
            target = self.cache_dir / repo.replace("/", "__")
            if not _is_git(target):
                self._clone(self.origin(repo), target)
            if not _has_commit(target, commit):
                fetched = git(target, "fetch", "--quiet", "origin", commit)
                if fetched.returncode != 0 or not _has_commit(target, commit):
                    raise RepositoryError(
                        f"commit {commit} is not in {repo} ({self.origin(repo)})",
                        hint="update the mirror or clone, or check the dataset's base_commit",
                    )
            return target

    def checkout(self, repo: str, commit: str, target: Path) -> Path:
        """A working copy of `repo` at `commit` in `target` (detached HEAD, clean), for a team job."""
        source = self.prepared(repo, commit)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        done = git(target.parent, "clone", "--quiet", "--shared", "--no-checkout", str(source), target.name)
        if done.returncode == 0:
            done = git(target, "checkout", "--quiet", "--detach", commit)
        if done.returncode != 0:
            raise RepositoryError(f"checking out {repo} at {commit} failed: {done.stderr.strip()}")
        return target

    def _clone(self, origin: str, target: Path) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        shared = [] if "://" in origin else ["--shared"]
        with tempfile.TemporaryDirectory(prefix=".clone-", dir=self.cache_dir) as scratch:
            partial = Path(scratch) / "repo"
            done = git(scratch, "clone", "--quiet", "--no-checkout", *shared, origin, str(partial))
            if done.returncode != 0:
                raise RepositoryError(
                    f"cloning {origin} failed: {done.stderr.strip()}",
                    hint="check the URL and the network, or pass --repos with local clones",
                )
            if target.exists():
                shutil.rmtree(target)
            partial.rename(target)
