"""The job's code graph: built once per process from the workspace's files, kept current as tools edit them.

A local workspace is on this machine, so the graph reads it directly. A Docker workspace's files live in its
container: the graph reads a host copy (the base commit plus the workspace's diff), which every edit the tools
make is copied into.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from core.errors import SweTeamError
from workspaces.base import Workspace


def _host_copy(workspace: Workspace, job_dir: Path) -> Path:
    """The workspace's files on this machine: the worktree itself, or the base commit plus the workspace's diff."""
    info = workspace.info
    if info.backend == "local" and Path(info.root).is_dir():
        return Path(info.root)
    copy = job_dir / "graph-source"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", info.repo_path, "archive", info.base_commit], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(copy)], input=archive, check=True)
    diff = workspace.diff()
    if diff.strip():
        subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=copy, input=diff.encode(), check=False)
    return copy


def build_job_graph(workspace: Workspace, job_dir: Path, cache_dir: Path, progress: Any) -> tuple[Any, Any]:
    """(graph, listener): the listener keeps the graph current after a tool changed a file."""
    from memory.codegraph import CodeGraph

    root = _host_copy(workspace, job_dir)
    progress("intake", "indexing the repository into the code graph")
    graph = CodeGraph.build(root, cache_dir=cache_dir)
    mirrored = root != Path(workspace.info.root)

    def file_changed(path: str) -> None:
        if mirrored:
            target = root / path
            if workspace.exists(path):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(workspace.read_file(path), encoding="utf-8")
            elif target.exists():
                target.unlink()
        try:
            graph.update_file(path)
        except (OSError, SweTeamError, ValueError):
            graph.remove_file(path)

    return graph, file_changed
