"""The files of one commit of a repository, read with git: nothing is checked out and nothing runs."""

from __future__ import annotations

import fnmatch
import functools
from datetime import datetime
from pathlib import Path

from packaging.version import InvalidVersion, Version

from core.errors import WorkspaceError
from core.git import git, git_bytes, git_output

MAX_FILE_BYTES = 2_000_000


class CommitFiles:
    """A read-only view of `repo` at `commit`: its paths, the text of a file, its date, tree and version."""

    def __init__(self, repo: Path, commit: str) -> None:
        self.repo = repo
        if not repo.is_dir() or git(repo, "rev-parse", "--git-dir").returncode != 0:
            raise WorkspaceError(f"{repo} is not a git repository", hint="pass the folder of a git repository")
        found = git(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
        if found.returncode != 0:
            raise WorkspaceError(f"{repo} has no commit {commit!r}", hint="name a branch, tag or commit id")
        self.commit = found.stdout.strip()

    @functools.cached_property
    def paths(self) -> list[str]:
        listing = git_output(self.repo, "ls-tree", "-r", "-z", "--name-only", self.commit, error=WorkspaceError)
        return [path for path in listing.split("\0") if path]

    @functools.cached_property
    def tree(self) -> str:
        """The tree id: equal trees give equal project layers, whatever the commit."""
        return git_output(self.repo, "rev-parse", f"{self.commit}^{{tree}}", error=WorkspaceError).strip()

    @functools.cached_property
    def date(self) -> datetime:
        """When the commit was made (committer date, with its time zone)."""
        text = git_output(self.repo, "show", "-s", "--format=%cI", self.commit, error=WorkspaceError).strip()
        return datetime.fromisoformat(text)

    def exists(self, path: str) -> bool:
        return path in self._path_set

    @functools.cached_property
    def _path_set(self) -> frozenset[str]:
        return frozenset(self.paths)

    def matching(self, *patterns: str) -> list[str]:
        """Paths matching any of the glob `patterns`, where `*` does not cross `/`."""
        return [
            path
            for path in self.paths
            if any(path.count("/") == pattern.count("/") and fnmatch.fnmatchcase(path, pattern) for pattern in patterns)
        ]

    @functools.cache  # noqa: B019 - one instance per environment plan, dropped with it
    def read(self, path: str) -> str | None:
        """The text of `path` (undecodable bytes replaced), or None when the commit has no such file."""
        if not self.exists(path):
            return None
        shown = git_bytes(self.repo, "cat-file", "blob", f"{self.commit}:{path}")
        if shown.returncode != 0:
            return None
        return shown.stdout[:MAX_FILE_BYTES].decode("utf-8", errors="replace")

    def grep(self, *patterns: str) -> dict[str, list[str]]:
        """The text files of the commit holding any of the fixed strings `patterns`: path -> those found in it."""
        args = [arg for pattern in patterns for arg in ("-e", pattern)]
        found = git(self.repo, "grep", "-I", "-F", "-o", "-z", "--full-name", *args, self.commit, "--")
        hits: dict[str, list[str]] = {}
        for line in found.stdout.splitlines():
            where, _, sign = line.partition("\0")
            path = where.partition(":")[2]
            if path and sign in patterns and sign not in hits.setdefault(path, []):
                hits[path].append(sign)
        return hits

    def scm_version(self) -> str:
        """The version setuptools-scm would compute from git (its tree arrives without .git): the last tag, or the
        next patch release `.devN` N commits after it."""
        described = git(self.repo, "describe", "--tags", "--long", "--match", "*[0-9]*", self.commit)
        if described.returncode == 0:
            tag, distance, _ = described.stdout.strip().rsplit("-", 2)
            version = _tag_version(tag)
            if version is not None:
                if distance == "0":
                    return str(version)
                major, minor, patch = ([*version.release, 0, 0])[:3]
                return f"{major}.{minor}.{patch + 1}.dev{distance}"
        count = git(self.repo, "rev-list", "--count", self.commit).stdout.strip() or "0"
        return f"0.1.dev{count}"


def _tag_version(tag: str) -> Version | None:
    start = next((i for i, char in enumerate(tag) if char.isdigit()), len(tag))
    try:
        return Version(tag[start:])
    except InvalidVersion:
        return None
