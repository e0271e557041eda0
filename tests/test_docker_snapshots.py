"""Rollback, reattach after the owner is killed, rebuild of a lost volume, and gc of orphans."""

from __future__ import annotations

import os
from pathlib import Path

from core.settings import DockerSettings, Settings
from graphs.action_feedback import base_texts
from tests.docker_fixtures import (
    docker_client,
    docker_workspace,
    sample_repo,
    spawn_and_kill_owner,
    workspace_image,
)
from workspaces.base import WorkspaceInfo
from workspaces.docker import DockerWorkspace
from workspaces.docker_gc import LABEL_OWNER_PID, list_objects, reap


def test_rollback_restores_deleted_and_edited_files_byte_for_byte(tmp_path: Path) -> None:
    with docker_workspace(tmp_path) as workspace:
        before = workspace.exec("sha256sum app.py data/blob.bin README").stdout
        snapshot = workspace.snapshot("before-edit")
        workspace.write_file("app.py", "broken\n")
        workspace.delete_file("data/blob.bin")
        workspace.exec("printf '\\xff\\x00' >> README && echo new > created.txt")
        assert "created.txt" in workspace.diff()
        workspace.rollback(snapshot)
        after = workspace.exec("sha256sum app.py data/blob.bin README").stdout
        files = workspace.list_files()
        diff = workspace.diff()
    assert after == before
    assert files == ["README", "app.py", "data/blob.bin"]
    assert diff == ""


def test_reattach_after_the_owner_is_killed(tmp_path: Path) -> None:
    workspace_image()
    printed = spawn_and_kill_owner("killed-owner", sample_repo(tmp_path), tmp_path / "job")
    info = WorkspaceInfo.from_dict(printed["info"])
    settings = Settings(home=tmp_path / "home", docker=DockerSettings())
    workspace = DockerWorkspace.reattach(info, settings)
    try:
        assert not workspace.recreated
        assert workspace.read_file("after_snapshot.txt") == "unsnapshotted\n"
        assert dict(workspace.container.labels)[LABEL_OWNER_PID] == str(os.getpid())
        workspace.rollback(printed["snapshot"])
        assert workspace.list_files() == ["README", "app.py", "data/blob.bin", "made_by_child.txt"]
        assert reap(docker_client(), home=settings.home) == []
    finally:
        workspace.close()


def test_lost_volume_is_rebuilt_from_the_exported_snapshots(tmp_path: Path) -> None:
    workspace_image()
    printed = spawn_and_kill_owner("lost-volume", sample_repo(tmp_path), tmp_path / "job")
    client = docker_client()
    client.containers.get("swe-team-lost-volume").remove(force=True)
    client.volumes.get("swe-team-lost-volume").remove(force=True)
    info = WorkspaceInfo.from_dict(printed["info"])
    workspace = DockerWorkspace.reattach(info, Settings(home=tmp_path / "home"))
    try:
        assert workspace.recreated
        assert workspace.read_file("made_by_child.txt") == "child was here\n"
        assert not workspace.exists("after_snapshot.txt")
        workspace.write_file("app.py", "changed\n")
        workspace.rollback(printed["snapshot"])
        assert workspace.read_file("app.py") == "def add(a, b):\n    return a + b\n"
    finally:
        workspace.close()


def test_gc_removes_an_orphan(tmp_path: Path) -> None:
    workspace_image()
    spawn_and_kill_owner("orphan", sample_repo(tmp_path), tmp_path / "job")
    client = docker_client()
    statuses = {obj.name: obj.status for obj in list_objects(client) if obj.job_id == "orphan"}
    assert statuses == {"swe-team-orphan": "owner dead"}
    removed = reap(client, home=tmp_path / "job" / "home")
    assert {"container swe-team-orphan", "volume swe-team-orphan"} <= set(removed)
    assert not [obj for obj in list_objects(client) if obj.job_id == "orphan"]


def test_close_with_keep_leaves_the_workspace_until_expiry(tmp_path: Path) -> None:
    job = f"kept-{os.getpid()}"
    with docker_workspace(tmp_path, job_id=job) as workspace:
        workspace.close(keep=True)
    client = docker_client()
    kept = {obj.name: obj.status for obj in list_objects(client) if obj.job_id == job}
    client.containers.get(f"swe-team-kept-{job}").remove(force=True)
    client.volumes.get(f"swe-team-{job}").remove(force=True)
    assert kept == {f"swe-team-kept-{job}": "running", f"swe-team-{job}": "ready"}


def test_a_kept_action_is_replayed_on_the_repositorys_base_files_in_a_docker_workspace(tmp_path: Path) -> None:
    with docker_workspace(tmp_path) as workspace:
        workspace.write_file("app.py", "changed\n")
        texts = base_texts(workspace, ["app.py", "created.txt"])
    assert texts == {"app.py": "def add(a, b):\n    return a + b\n", "created.txt": ""}
