"""The change under review: its diff, the files it touches, and their new text.

`--base REF --head REF` reviews what `head` adds since it forked from `base` (`git diff base...head`, as a pull
request shows it) and reads the new files from `head`. `--base REF` alone reviews the working tree against that
fork point. `--diff FILE` reviews a saved diff and reads the new files from the repository's working tree (a CI
job has the head checked out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.errors import RepositoryError, SweTeamError
from core.git import git
from tools.diff_lines import FileDiff, parse_unified_diff

MAX_FILE_BYTES = 2_000_000


@dataclass
class Change:
    repo: Path
    diff: str
    files: list[FileDiff]
    head: str = ""
    """The commit the new text is read from; empty for the working tree."""
    described: str = ""
    """`base...head`, `base...working tree` or the diff file, for the report."""
    _texts: dict[str, str | None] = field(default_factory=dict)

    def new_text(self, path: str) -> str | None:
        """The file's text in the new version; None when it is gone, binary, too large, unreadable, or not the
        version the diff made (a saved diff reviewed on another checkout: its added lines are not where it says)."""
        if path not in self._texts:
            text = self._read(path)
            diff = self.file(path)
            if text is not None and diff is not None:
                lines = text.splitlines()
                added = diff.added_lines.items()
                if any(number > len(lines) or lines[number - 1] != line for number, line in added):
                    text = None
            self._texts[path] = text
        return self._texts[path]

    def _read(self, path: str) -> str | None:
        if self.head:
            shown = git(self.repo, "show", f"{self.head}:{path}")
            text = shown.stdout if shown.returncode == 0 else None
        else:
            file = self.repo / path
            try:
                text = file.read_text(encoding="utf-8") if file.stat().st_size <= MAX_FILE_BYTES else None
            except (OSError, UnicodeDecodeError):
                text = None
        return None if text is None or "\x00" in text or len(text) > MAX_FILE_BYTES else text

    def file(self, path: str) -> FileDiff | None:
        return next((diff for diff in self.files if diff.path == path), None)

    @property
    def line_count(self) -> int:
        return len(self.diff.splitlines())


def repository_root(repo: Path) -> Path:
    top = git(repo, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise RepositoryError(f"{repo} is not a git repository", hint="run review inside the repository or pass --repo")
    return Path(top.stdout.strip())


def _commit(repo: Path, ref: str, option: str) -> str:
    found = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise SweTeamError(
            f"{option} {ref!r} names no commit in {repo}",
            hint="fetch it first (`git fetch origin main`) or give a branch, tag or commit id",
        )
    return found.stdout.strip()


def change_between(repo: Path, base: str, head: str = "") -> Change:
    """What `head` (or the working tree) changes since it forked from `base`."""
    root = repository_root(repo)
    base_commit = _commit(root, base, "--base")
    head_commit = _commit(root, head, "--head") if head else ""
    fork = git(root, "merge-base", base_commit, head_commit or "HEAD")
    start = fork.stdout.strip() if fork.returncode == 0 else base_commit
    args = ["diff", "--no-color", "--no-ext-diff", "-M", start, *([head_commit] if head_commit else [])]
    done = git(root, *args)
    if done.returncode != 0:
        raise SweTeamError(f"git diff failed in {root}: {done.stderr.strip()}")
    described = f"{base}...{head or 'the working tree'}"
    return Change(root, done.stdout, parse_unified_diff(done.stdout), head_commit, described)


def change_from_diff(repo: Path, diff_text: str, name: str) -> Change:
    """A saved diff; the new files are read from the working tree of `repo` (or not at all outside a repository)."""
    files = parse_unified_diff(diff_text)
    if diff_text.strip() and not files:
        raise SweTeamError(f"{name} holds no unified diff", hint="make one with `git diff BASE...HEAD > change.diff`")
    top = git(repo, "rev-parse", "--show-toplevel")
    root = Path(top.stdout.strip()) if top.returncode == 0 else repo
    return Change(root, diff_text, files, "", name)
