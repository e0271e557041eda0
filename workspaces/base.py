"""The `Workspace` protocol every backend implements, and the records it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from core.errors import WorkspaceError

DEFAULT_OUTPUT_LIMIT = 50_000
"""Characters kept of each of stdout and stderr; the middle of longer output is cut with a note."""


def file_bytes(path: str, content: str) -> bytes:
    """`content` as UTF-8 for writing to `path`; text no encoding accepts (a lone surrogate) is refused."""
    try:
        return content.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise WorkspaceError(
            f"cannot write {path}: the content is not valid Unicode ({exc.reason} at character {exc.start})"
        ) from exc


@dataclass(frozen=True)
class ExecResult:
    """What a command did: exit code, separate streams, time taken."""

    command: str
    exit_code: int
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def observation(self) -> str:
        """The text an agent sees: exit code, then both streams."""
        head = f"exit code {self.exit_code}" + (" (timed out, process group killed)" if self.timed_out else "")
        parts = [head]
        if self.stdout:
            parts.append(f"--- stdout ---\n{self.stdout}")
        if self.stderr:
            parts.append(f"--- stderr ---\n{self.stderr}")
        return "\n".join(parts)


@dataclass(frozen=True)
class WorkspaceInfo:
    """Everything needed to find a workspace again after the orchestrator died (stored in graph state)."""

    backend: str
    job_id: str
    repo_path: str
    base_commit: str
    root: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "job_id": self.job_id,
            "repo_path": self.repo_path,
            "base_commit": self.base_commit,
            "root": self.root,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkspaceInfo:
        return cls(
            backend=str(data["backend"]),
            job_id=str(data["job_id"]),
            repo_path=str(data["repo_path"]),
            base_commit=str(data["base_commit"]),
            root=str(data["root"]),
            details=dict(data.get("details", {})),
        )


@runtime_checkable
class Workspace(Protocol):
    """An isolated copy of the repository at the job's base commit where every command of a job runs.

    Paths given to file methods are relative to the repository root and confined to it: absolute paths
    outside it, `..` escapes and symlinks leading out raise `WorkspaceError`.
    """

    @property
    def info(self) -> WorkspaceInfo: ...

    def exec(
        self,
        command: str,
        *,
        timeout: float = 120.0,
        cwd: str = ".",
        env: Mapping[str, str] | None = None,
    ) -> ExecResult:
        """Run a shell command (bash -c) in the repository; kill it and its children at `timeout`."""
        ...

    def read_file(self, path: str) -> str: ...

    def write_file(self, path: str, content: str) -> None: ...

    def delete_file(self, path: str) -> None: ...

    def list_files(self, path: str = ".") -> list[str]:
        """Files under `path` (recursive, repository-relative, sorted), honouring .gitignore."""
        ...

    def exists(self, path: str) -> bool: ...

    def snapshot(self, label: str = "") -> str:
        """Record the exact state of every file; return an id that `rollback` accepts (also after a resume)."""
        ...

    def rollback(self, snapshot_id: str) -> None:
        """Restore every file to the snapshot, byte for byte, removing files created since."""
        ...

    def diff(self) -> str:
        """Unified diff (git format, new files included) of the workspace against the base commit."""
        ...

    def close(self, *, keep: bool = False) -> None:
        """Release the workspace; with `keep`, leave its files (and container) for inspection."""
        ...
