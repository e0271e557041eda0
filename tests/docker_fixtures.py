"""Helpers of the Docker workspace tests: the real engine, one shared image built at most once per session."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.settings import DockerSettings, Settings
from tests.service_fixtures import unavailable
from tests.workspace_fixtures import make_repo
from workspaces.docker import DockerWorkspace, connect, engine_available
from workspaces.docker_image import build_image

REPO_ROOT = Path(__file__).resolve().parents[1]


def docker_client() -> Any:
    """The engine's client; skips the test without an engine (fails it when CI=true)."""
    if not engine_available():
        unavailable("no Docker engine answered (start Docker or set DOCKER_HOST)")
    return connect()


@functools.cache
def workspace_image() -> str:
    """The shared base image, built at most once per session (the build time is printed)."""
    started = time.monotonic()
    lock_dir = Path(tempfile.gettempdir()) / "swe-team-test-image-lock"
    tag, built = build_image(docker_client(), DockerSettings(), lock_dir=lock_dir)
    if built:
        print(f"\nbuilt the workspace image {tag} in {time.monotonic() - started:.1f} s")
    return tag


def test_settings(tmp_path: Path) -> Settings:
    """Settings with small limits, so the limit tests are quick."""
    workspace_image()
    return Settings(home=tmp_path / "home", docker=DockerSettings(memory="256m", pids_limit=128))


def sample_repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path,
        {
            "app.py": b"def add(a, b):\n    return a + b\n",
            "data/blob.bin": bytes(range(256)) * 8,
            "README": b"hi\n",
        },
    )


@contextmanager
def docker_workspace(tmp_path: Path, repo: Path | None = None, job_id: str = "") -> Iterator[DockerWorkspace]:
    """A workspace on `repo` (the sample repository by default), removed at the end."""
    job = job_id or f"test-{uuid.uuid4().hex[:8]}"
    workspace = DockerWorkspace.create(
        job_id=job,
        repo_path=repo or sample_repo(tmp_path),
        base_commit="HEAD",
        job_dir=tmp_path / job,
        settings=test_settings(tmp_path),
    )
    try:
        yield workspace
    finally:
        workspace.close()


CHILD_SCRIPT = """
import json, sys, time
from pathlib import Path
from core.settings import DockerSettings, Settings
from workspaces.docker import DockerWorkspace
settings = Settings(home=Path(sys.argv[3]) / "home", docker=DockerSettings())
ws = DockerWorkspace.create(
    job_id=sys.argv[1], repo_path=sys.argv[2], base_commit="HEAD", job_dir=sys.argv[3], settings=settings
)
ws.write_file("made_by_child.txt", "child was here\\n")
snap = ws.snapshot("child")
ws.write_file("after_snapshot.txt", "unsnapshotted\\n")
print(json.dumps({"info": ws.info.to_dict(), "snapshot": snap}), flush=True)
time.sleep(600)
"""


def spawn_and_kill_owner(job_id: str, repo: Path, job_dir: Path) -> dict[str, Any]:
    """Run a real process that creates a workspace, then `kill -9` it; return what it printed."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_SCRIPT, job_id, str(repo), str(job_dir)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert line, "the child process did not create its workspace"
    return dict(json.loads(line))
