"""The `local` workspace: a git worktree of the user's repository in the job folder, detached at the base
commit, with commands run as local subprocesses in their own process group.

The user's working tree, index and current branch are never touched: the worktree has its own index and HEAD,
and snapshots live in a private index plus refs under `refs/swe-team/snapshots/<job>/`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import RepositoryError, WorkspaceError
from core.file_lock import exclusive
from core.git import git_output
from workspaces.base import DEFAULT_OUTPUT_LIMIT, ExecResult, WorkspaceInfo, file_bytes
from workspaces.git_snapshots import JUNK_PATHSPECS, GitSnapshots, SnapshotRef
from workspaces.paths import confine, normalize_relative
from workspaces.process import base_environment, run_in_group

if TYPE_CHECKING:
    from core.settings import Settings

BACKEND = "local"
WORKTREE_DIR_NAME = "workspace"
GIT_SCRIPT_TIMEOUT_S = 600.0
_NO_HOOKS = ("-c", "core.hooksPath=/dev/null")


def _git(cwd: Path, *args: str) -> str:
    """Git in the sandboxed environment; a failure raises WorkspaceError carrying git's own message."""
    return git_output(cwd, *args, error=WorkspaceError, env=base_environment())


def _run_bash(
    script: str,
    cwd: Path,
    *,
    timeout: float = GIT_SCRIPT_TIMEOUT_S,
    env: Mapping[str, str] | None = None,
    output_limit: int | None = None,
) -> ExecResult:
    """Run `bash -c script` in `cwd` in its own process group, with only the base environment plus `env`."""
    return run_in_group(
        ["bash", "-c", script],
        cwd=str(cwd),
        env=base_environment(env),
        timeout=timeout,
        output_limit=output_limit,
        display=script,
    )


def repository_root(repo_path: str | Path) -> Path:
    """The top level of the git repository at `repo_path`, or a RepositoryError saying what is wrong."""
    path = Path(repo_path).expanduser()
    if not path.is_dir():
        raise RepositoryError(f"repository {path} does not exist or is not a directory", hint="check --repo")
    try:
        return Path(_git(path, "rev-parse", "--show-toplevel").strip())
    except WorkspaceError as exc:
        raise RepositoryError(
            f"{path} is not inside a git repository",
            hint="run `git init` and commit, or point --repo elsewhere",
        ) from exc


def resolve_commit(repo: Path, revision: str) -> str:
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
    except WorkspaceError as exc:
        raise RepositoryError(
            f"{revision!r} is not a commit of {repo}",
            hint="give an existing commit, branch or tag (e.g. HEAD)",
        ) from exc


def _is_checkout_at(root: Path) -> bool:
    if not (root / ".git").exists():
        return False
    try:
        top = _git(root, "rev-parse", "--show-toplevel").strip()
    except WorkspaceError:
        return False
    return Path(top).resolve() == root.resolve()


@contextmanager
def _worktrees_locked(repo: Path) -> Iterator[None]:
    """One process at a time changes a repository's worktrees: jobs started together would otherwise pick the
    same administrative folder for their `workspace` worktrees."""
    common = Path(_git(repo, "rev-parse", "--git-common-dir").strip())
    lock = (common if common.is_absolute() else repo / common) / "swe-team-worktrees.lock"
    with exclusive(lock):
        yield


def _add_worktree(repo: Path, root: Path, commit: str) -> None:
    if root.exists() and any(root.iterdir()):
        raise WorkspaceError(
            f"{root} exists and is not an intact workspace",
            hint="remove that folder (or the job) and start again",
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    with _worktrees_locked(repo):
        _git(repo, "worktree", "prune")
        _git(repo, *_NO_HOOKS, "worktree", "add", "--detach", "--quiet", str(root), commit)


class LocalWorkspace:
    """A git worktree in `<job_dir>/workspace`; see the `Workspace` protocol for the contract."""

    def __init__(
        self, info: WorkspaceInfo, settings: Settings | None = None, *, recreated: bool = False
    ) -> None:
        self._info = info
        self.settings = settings
        self.root = Path(info.root)
        self.recreated = recreated
        """True when `reattach` found the worktree gone and made it again from the base commit."""
        self._closed = False
        self._snapshots = GitSnapshots(self._run_script, info.base_commit, info.job_id)

    @classmethod
    def create(
        cls,
        *,
        job_id: str,
        repo_path: str | Path,
        base_commit: str,
        job_dir: str | Path,
        settings: Settings | None,
    ) -> LocalWorkspace:
        repo = repository_root(repo_path)
        commit = resolve_commit(repo, base_commit)
        root = Path(job_dir).expanduser().absolute() / WORKTREE_DIR_NAME
        if _is_checkout_at(root):
            raise WorkspaceError(
                f"a workspace already exists at {root}", hint="resume the job or delete its folder"
            )
        _add_worktree(repo, root, commit)
        info = WorkspaceInfo(
            backend=BACKEND, job_id=job_id, repo_path=str(repo), base_commit=commit, root=str(root)
        )
        return cls(info, settings)

    @classmethod
    def discard(cls, *, job_id: str, repo_path: str | Path, job_dir: str | Path, settings: Settings | None) -> None:
        """Remove the worktree (and snapshot refs) an interrupted start of this job left in its folder."""
        root = Path(job_dir).expanduser().absolute() / WORKTREE_DIR_NAME
        if root.exists():
            repo = repository_root(repo_path)
            cls(WorkspaceInfo(BACKEND, job_id, str(repo), "HEAD", str(root)), settings).close()

    @classmethod
    def reattach(cls, info: WorkspaceInfo, settings: Settings | None) -> LocalWorkspace:
        root = Path(info.root)
        if _is_checkout_at(root):
            return cls(info, settings)
        repo = repository_root(info.repo_path)
        _add_worktree(repo, root, resolve_commit(repo, info.base_commit))
        return cls(info, settings, recreated=True)

    @property
    def info(self) -> WorkspaceInfo:
        return self._info

    def _require_open(self) -> None:
        if self._closed:
            raise WorkspaceError(f"workspace of job {self._info.job_id} is closed")

    def exec(
        self,
        command: str,
        *,
        timeout: float = 120.0,
        cwd: str = ".",
        env: Mapping[str, str] | None = None,
        output_limit: int | None = DEFAULT_OUTPUT_LIMIT,
    ) -> ExecResult:
        """Run `bash -c command`, keeping `output_limit` characters of each stream (None: everything)."""
        self._require_open()
        directory = confine(self.root, cwd)
        if not directory.is_dir():
            raise WorkspaceError(f"cannot run in {cwd!r}: not a directory of the repository")
        return _run_bash(command, directory, timeout=timeout, env=env, output_limit=output_limit)

    def _run_script(self, script: str) -> ExecResult:
        return self.exec(script, timeout=GIT_SCRIPT_TIMEOUT_S, output_limit=None)

    def read_file(self, path: str) -> str:
        self._require_open()
        target = confine(self.root, path)
        if target.is_dir():
            raise WorkspaceError(f"{path} is a directory, not a file", hint="list it with list_files")
        if not target.is_file():
            raise WorkspaceError(f"no such file: {path}")
        try:
            return target.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WorkspaceError(f"{path} is not UTF-8 text (a binary file?)") from exc

    def write_file(self, path: str, content: str) -> None:
        self._require_open()
        target = confine(self.root, path)
        data = file_bytes(path, content)
        if target.is_dir():
            raise WorkspaceError(f"cannot write {path}: it is a directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            handle.write(data)

    def delete_file(self, path: str) -> None:
        self._require_open()
        target = confine(self.root, path)
        if target.is_dir() and not target.is_symlink():
            raise WorkspaceError(f"cannot delete {path}: it is a directory")
        if not os.path.lexists(target):
            raise WorkspaceError(f"no such file: {path}")
        target.unlink()

    def list_files(self, path: str = ".") -> list[str]:
        self._require_open()
        relative = normalize_relative(path)
        target = confine(self.root, path)
        if not target.exists():
            raise WorkspaceError(f"no such file or directory: {path}")
        if not target.is_dir():
            return [relative]
        output = _git(
            self.root,
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            relative,
            *JUNK_PATHSPECS,
        )
        found = set()
        for name in output.split("\0"):
            if not name:
                continue
            full = self.root / name
            if os.path.islink(full) or os.path.isfile(full):
                found.add(name)
        return sorted(found)

    def exists(self, path: str) -> bool:
        self._require_open()
        return confine(self.root, path).exists()

    def snapshot(self, label: str = "") -> str:
        self._require_open()
        return self._snapshots.snapshot(label)

    def rollback(self, snapshot_id: str) -> None:
        self._require_open()
        self._snapshots.rollback(snapshot_id)

    def diff(self) -> str:
        self._require_open()
        return self._snapshots.diff()

    def snapshots(self) -> list[SnapshotRef]:
        """This job's snapshots, oldest first; refs live in the repository, so they survive a recreation."""
        self._require_open()
        return self._snapshots.list()

    def close(self, *, keep: bool = False) -> None:
        if self._closed:
            return
        if keep:
            self._closed = True
            return
        repo = Path(self._info.repo_path)
        # the snapshot refs live in the repository, so delete them there (the worktree may be gone)
        in_repository = GitSnapshots(lambda script: _run_bash(script, repo), self._info.base_commit, self._info.job_id)
        in_repository.delete_all()
        with _worktrees_locked(repo):
            if _is_checkout_at(self.root):
                try:
                    _git(repo, "worktree", "remove", "--force", "--force", str(self.root))
                except WorkspaceError:
                    shutil.rmtree(self.root, ignore_errors=True)
            elif self.root.exists():
                shutil.rmtree(self.root, ignore_errors=True)
            _git(repo, "worktree", "prune")
        self._closed = True
