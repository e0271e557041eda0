"""The example job in a Docker workspace: every command of the job runs in the job's isolated container."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from core.trajectory import Trajectory
from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, git, script
from tests.docker_fixtures import docker_client
from tests.job_fixtures import assert_script_done, job_ids, run_example_job
from tests.service_fixtures import unavailable

CODER_RUN_TESTS = 7


def _docker_env() -> dict[str, str]:
    """The settings of a job in a Docker workspace whose dependencies install offline from the suite's wheels."""
    wheels = os.environ.get("SWE_TEAM_TEST_WHEELS", "")
    if not wheels:
        unavailable("SWE_TEAM_TEST_WHEELS is not set: run the suite with `make test`")
    return {
        "SWE_TEAM_WORKSPACE": "docker",
        "SWE_TEAM_DOCKER__PIP_DOWNLOAD_ARGS": json.dumps(["--no-index", "--find-links", wheels]),
    }


def test_example_job_resolves_in_a_docker_workspace_and_leaves_no_container(tmp_path: Path) -> None:
    client = docker_client()
    docker_env = _docker_env()
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    result = run_example_job(repo, home, script("shop-resolved"), "--yes-destructive", **docker_env)
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "resolved" and job["workspace"] == "docker"
    events = Trajectory(home / "jobs" / job["id"] / "trajectory.jsonl").events()
    runs = [e["observation"] for e in events if e["event"] == "tool_call" and e["tool"] == "run_tests"]
    assert runs and "/root/.pyenv" not in "".join(runs), "tests ran inside the container"
    assert git(repo, "log", "--format=%s", "-1", f"swe-team/{job['id']}")
    leftovers = client.containers.list(all=True, filters={"label": f"swe-team.job={job['id']}"})
    assert leftovers == []


def test_a_container_killed_mid_job_stops_the_job_and_resume_finishes_it_in_a_new_one(tmp_path: Path) -> None:
    client = docker_client()
    docker_env = _docker_env()
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    steps = script("shop-resolved")["steps"]
    steps[CODER_RUN_TESTS]["delay_s"] = 4
    with ScriptedModelServer({"steps": steps}) as server:
        env = cli_env(home, server.base_url, **docker_env)
        process = subprocess.Popen(
            [sys.executable, "-m", "swe_team", *run_args(repo, "--yes-destructive")],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 180
        while len(server.requests) <= CODER_RUN_TESTS:
            assert time.monotonic() < deadline and process.poll() is None, "the coder never ran"
            time.sleep(0.05)
        (job_id,) = job_ids(home)
        (container,) = client.containers.list(filters={"label": f"swe-team.job={job_id}"})
        container.kill()
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 1 and f"swe-team resume {job_id}" in stderr

        resumed = swe_team("resume", job_id, "--json", env=env)
        assert resumed.returncode == 0, resumed.stderr
        assert_script_done(server)
    assert json.loads(resumed.stdout)["status"] == "resolved"
    assert 'default=Decimal("0")' in (home / "jobs" / job_id / "patch.diff").read_text()
