"""A job whose environment cannot be built stops before any model call, says which step failed in the tool's
words, and `swe-team resume` tries the environment again instead of giving the job up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, swe_team
from tests.docker_fixtures import docker_client, workspace_image
from tests.job_fixtures import job_ids
from tests.workspace_fixtures import make_repo

pytestmark = [pytest.mark.docker]


def test_an_environment_that_cannot_be_built_stops_the_job_and_resume_tries_it_again(tmp_path: Path) -> None:
    docker_client()
    workspace_image()
    repo = make_repo(tmp_path, {"requirements.txt": b"no-such-package-xyz==1.0\n", "app.py": b"print(1)\n"})
    (tmp_path / "index").mkdir()
    home = tmp_path / "home"
    with ScriptedModelServer({"steps": []}) as server:
        env = cli_env(
            home, server.base_url,
            SWE_TEAM_WORKSPACE="docker",
            SWE_TEAM_DOCKER__TEST_TOOLS="[]",
            SWE_TEAM_DOCKER__PIP_DOWNLOAD_ARGS=json.dumps(["--no-index", "--find-links", str(tmp_path / "index")]),
        )
        first = swe_team("run", "--repo", str(repo), "--task", "print 2 instead", env=env)
        (job_id,) = job_ids(home)
        again = swe_team("resume", job_id, env=env)
    said, resumed = " ".join(first.stderr.split()), " ".join(again.stderr.split())
    assert first.returncode == 1 and "environment step 'resolve' (env) failed" in said
    assert "no-such-package-xyz" in said and "[environment] packages" in said
    assert again.returncode == 1 and "stopped before its first checkpoint" in resumed
    assert "environment step 'resolve' (env) failed" in resumed
    assert server.requests == [], "no model call may happen before the environment exists"
