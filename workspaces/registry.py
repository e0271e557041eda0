"""Workspace backends by short name (`local`, `docker`) or dotted class path, imported only when used."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from core.errors import ConfigError
from workspaces.base import Workspace, WorkspaceInfo

if TYPE_CHECKING:
    from core.settings import Settings

BACKENDS = {
    "local": "workspaces.local.LocalWorkspace",
    "docker": "workspaces.docker.DockerWorkspace",
}


def backend_class(kind: str) -> Any:
    """The class for `kind`: a short name from BACKENDS or a dotted `package.module.Class` path."""
    dotted = BACKENDS.get(kind, kind)
    module_name, _, class_name = dotted.rpartition(".")
    if not module_name:
        raise ConfigError(
            f"unknown workspace kind {kind!r}",
            hint=f"use one of {', '.join(BACKENDS)}, auto, or a dotted class path",
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ConfigError(f"workspace backend {dotted!r} cannot be imported: {exc}") from exc
    try:
        return getattr(module, class_name)
    except AttributeError as exc:
        raise ConfigError(f"workspace backend {dotted!r}: module has no {class_name!r}") from exc


def resolve_kind(kind: str) -> tuple[str, str]:
    """(backend, note). `auto` picks docker when its module imports and an engine answers, else local, and the
    note says why in one line; an explicit kind is returned as given with an empty note."""
    if kind != "auto":
        return kind, ""
    try:
        docker_module = importlib.import_module("workspaces.docker")
    except ImportError as exc:
        return "local", f"using the local workspace: the Docker backend is unavailable ({exc})"
    try:
        available = bool(docker_module.engine_available())
    except Exception as exc:
        return "local", f"using the local workspace: checking the Docker engine failed ({exc})"
    if available:
        return "docker", ""
    return "local", "using the local workspace: no Docker engine answered (start one or set DOCKER_HOST)"


def create_workspace(
    kind: str,
    *,
    job_id: str,
    repo_path: str | Path,
    base_commit: str,
    job_dir: str | Path,
    settings: Settings | None,
) -> Workspace:
    """Open a new workspace of `kind` (short name, `auto` or dotted path) for a job."""
    backend, _ = resolve_kind(kind)
    cls = backend_class(backend)
    workspace = cls.create(
        job_id=job_id, repo_path=repo_path, base_commit=base_commit, job_dir=job_dir, settings=settings
    )
    return cast(Workspace, workspace)


def discard_workspace(
    kind: str, *, job_id: str, repo_path: str | Path, job_dir: str | Path, settings: Settings | None
) -> None:
    """Remove what an interrupted creation of this job's workspace left (a half-made worktree, container or
    volume), so that the job can start again; a backend without a `discard` class method leaves nothing."""
    backend, _ = resolve_kind(kind)
    discard = getattr(backend_class(backend), "discard", None)
    if discard is not None:
        discard(job_id=job_id, repo_path=repo_path, job_dir=job_dir, settings=settings)


def reattach_workspace(info: WorkspaceInfo, settings: Settings | None) -> Workspace:
    """Find the workspace described by `info` again (after a crash or on another run of the CLI)."""
    return cast(Workspace, backend_class(info.backend).reattach(info, settings))
