"""The base image: built once, found by its recipe hash, and named in the error when missing; a build container
is removed once its builder has died."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.errors import WorkspaceError
from core.settings import DockerSettings, Settings
from tests.docker_fixtures import docker_client, sample_repo, workspace_image
from workspaces.docker import DockerWorkspace
from workspaces.docker_gc import reap
from workspaces.docker_image import base_image_tag, build_image


def test_image_build_is_a_no_op_when_the_image_exists(tmp_path: Path) -> None:
    image = workspace_image()
    started = time.monotonic()
    tag, built = build_image(docker_client(), DockerSettings(), lock_dir=tmp_path)
    assert (tag, built) == (image, False)
    assert tag == base_image_tag(DockerSettings())
    assert time.monotonic() - started < 2.0


def test_missing_image_names_the_build_command(tmp_path: Path) -> None:
    docker_client()
    settings = Settings(home=tmp_path / "home", docker=DockerSettings(image="swe-team-base:does-not-exist"))
    with pytest.raises(WorkspaceError) as error:
        DockerWorkspace.create(
            job_id="no-image",
            repo_path=sample_repo(tmp_path),
            base_commit="HEAD",
            job_dir=tmp_path / "job",
            settings=settings,
        )
    assert "swe-team workspace build-image" in error.value.user_message()


BUILDER = """import sys
from pathlib import Path
from core.settings import Settings
from workspaces.docker import connect
from workspaces.environment.image_build import BuildContainer

build = BuildContainer(connect(), sys.argv[1], Settings(home=Path(sys.argv[2])), None)
print(build.container.name, flush=True)
sys.stdin.read()
"""


def test_a_build_container_whose_builder_was_killed_is_removed_by_the_next_reap(tmp_path: Path) -> None:
    client = docker_client()
    home = tmp_path / "home"
    builder = subprocess.Popen(
        [sys.executable, "-c", BUILDER, workspace_image(), str(home)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )
    assert builder.stdout is not None
    name = builder.stdout.readline().strip()
    assert reap(client, home=home) == [], "a live builder's container is kept"
    builder.kill()
    builder.wait()
    assert reap(client, home=home) == [f"container {name}"]
    assert not client.containers.list(all=True, filters={"name": name})
