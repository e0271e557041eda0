"""A model server that is not there, or dies mid-job: a clear error, and nothing of the job is lost."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from core.model.scripted_server import DROP, ScriptedModelServer
from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, script
from tests.job_fixtures import assert_script_done, job_ids
from tests.model_fixtures import free_port


def test_run_with_no_model_server_fails_at_once_and_creates_no_job(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    started = time.monotonic()
    result = swe_team(
        "run", "--repo", str(repo), "--task", "checkout fails",
        env=cli_env(home, f"http://127.0.0.1:{free_port()}/v1"),
    )
    assert result.returncode == 1
    assert "nothing answers at http://127.0.0.1:" in result.stderr and "swe-team model serve" in result.stderr
    assert time.monotonic() - started < 15
    assert job_ids(home) == []


def test_a_server_that_dies_mid_job_leaves_it_resumable_and_resume_finishes_it(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    steps = script("shop-resolved")["steps"]
    crash = {"expect": {"role": "localizer"}, "status": DROP}
    first = ScriptedModelServer({"steps": [steps[0], crash]})
    url = first.start()
    env = cli_env(home, url)
    process = subprocess.Popen(
        [sys.executable, "-m", "swe_team", *run_args(repo, "--yes-destructive")],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 120
    while first.remaining:
        assert time.monotonic() < deadline and process.poll() is None, "the job never reached the localizer"
        time.sleep(0.02)
    first.stop()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "no answer from the model server" in stderr and "swe-team resume" in stderr
    (job_id,) = job_ids(home)
    assert json.loads(swe_team("jobs", "--json", env=env).stdout)[0]["status"] == "interrupted"

    port = urlparse(url).port
    with ScriptedModelServer({"steps": copy.deepcopy(steps[1:])}, port=port) as second:
        resumed = swe_team("resume", job_id, "--json", env=env)
        assert_script_done(second, resumed.stderr)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "resolved"
