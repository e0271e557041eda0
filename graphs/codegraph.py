"""The job's code graph: built once per process from the workspace's files, kept current as tools edit them.

A local workspace is on this machine, so the graph reads it directly. A Docker workspace's files live in its
container: the graph reads a host copy (the base commit plus the workspace's diff), which every edit the tools
make is copied into. With `codegraph_share` on, the graph is shared with other machines through Redis
(`shared_graph.py`).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import SweTeamError
from core.git import git_archive, git_bytes
from core.settings import Settings
from graphs.shared_graph import open_share
from workspaces.base import Workspace


def _host_copy(workspace: Workspace, job_dir: Path) -> Path:
    """The workspace's files on this machine: the worktree itself, or the base commit plus the workspace's diff."""
    info = workspace.info
    if info.backend == "local" and Path(info.root).is_dir():
        return Path(info.root)
    copy = job_dir / "graph-source"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    archive = git_archive(info.repo_path, info.base_commit)
    subprocess.run(["tar", "-x", "-C", str(copy)], input=archive, check=True)
    diff = workspace.diff()
    if diff.strip():
        git_bytes(copy, "apply", "--whitespace=nowarn", "-", stdin=diff.encode())
    return copy


def _every_few_seconds(progress: Any, interval_s: float = 2.0) -> Callable[[int, int, str], None]:
    """The graph's per-file progress as an occasional line of the job's progress (a large repository has 1,000s)."""
    last = [0.0]

    def report(done: int, total: int, what: str) -> None:
        now = time.monotonic()
        if now - last[0] >= interval_s or done == total:
            last[0] = now
            progress("intake", f"code graph: {what.split(' ', 1)[0]} {done}/{total} files")

    return report


@dataclass
class JobGraph:
    graph: Any
    files_changed: Callable[[list[str]], None]
    """Keeps the graph current after a tool changed files (all those of one tool call at once)."""
    summary: dict[str, Any]
    """Where the graph came from (files parsed, from the disk cache, from Redis), for the trajectory."""
    notes: list[str]
    """What the user should know: sharing through Redis that failed."""


def build_job_graph(workspace: Workspace, job_dir: Path, settings: Settings, progress: Any) -> JobGraph:
    """The job's graph: this machine's snapshot or record cache, else the graph another machine shared, else
    parsed here; shared in turn when `codegraph_share` is on."""
    from memory.codegraph import CodeGraph

    root = _host_copy(workspace, job_dir)
    share = open_share(settings, workspace.info)
    progress("intake", "indexing the repository into the code graph")
    graph = CodeGraph.build(
        root,
        cache_dir=settings.home / "cache" / "codegraph",
        shared=share.fetch if share is not None else None,
        progress=_every_few_seconds(progress),
    )
    if share is not None:
        share.publish(graph)
    stats = graph.stats
    summary = {
        "files": stats.files,
        "parsed": stats.parsed,
        "from_cache": stats.from_cache,
        "from_redis": stats.shared,
        "seconds": round(stats.seconds, 2),
        **({"share": share.summary()} if share is not None else {}),
    }
    redis = f", {stats.shared} from Redis" if share is not None else ""
    progress("intake", f"code graph: {stats.files} files ({stats.parsed} parsed, {stats.from_cache} cached{redis})")
    mirrored = root != Path(workspace.info.root)

    def mirror(path: str) -> None:
        target = root / path
        if workspace.exists(path):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(workspace.read_file(path), encoding="utf-8")
        elif target.exists():
            target.unlink()

    def files_changed(paths: list[str]) -> None:
        if mirrored:
            for path in paths:
                mirror(path)
        try:
            graph.update_files(paths)
        except (OSError, SweTeamError, ValueError):
            for path in paths:
                try:
                    graph.update_file(path)
                except (OSError, SweTeamError, ValueError):
                    graph.remove_file(path)

    return JobGraph(graph, files_changed, summary, share.notes if share is not None else [])
