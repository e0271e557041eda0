"""A job killed with SIGKILL mid-node is finished by `swe-team resume`: no lost edit, no repeated side effect."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from core.trajectory import Trajectory
from harness.cli import cli_env, run_args, swe_team, wait_for
from harness.example import example_repo, script
from tests.job_fixtures import assert_script_done, job_ids

CODER_EDIT, CODER_RUN_TESTS = 6, 7


def test_kill_9_mid_coder_then_resume_finishes_the_job_exactly_once(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = script("shop-resolved")["steps"]
    stalled = copy.deepcopy(steps[CODER_RUN_TESTS])
    stalled["delay_s"] = 600
    steps.insert(CODER_RUN_TESTS, stalled)
    home = tmp_path / "home"
    with ScriptedModelServer({"steps": steps}) as server:
        env = cli_env(home, server.base_url)
        process = subprocess.Popen(
            [sys.executable, "-m", "swe_team", *run_args(repo, "--yes-destructive")],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: len(server.requests) > CODER_RUN_TESTS, what="the stalled coder call")
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        (job_id,) = job_ids(home)
        listed = swe_team("jobs", "--json", env=env)
        assert json.loads(listed.stdout)[0]["status"] == "interrupted"

        resumed = swe_team("resume", job_id, "--json", env=env)
        assert resumed.returncode == 0, resumed.stderr
        assert_script_done(server)
        coder_calls = [r for r in server.requests if r.get("user") == "swe-team:coder"]
    assert json.loads(resumed.stdout)["status"] == "resolved"
    assert len(coder_calls) == 4, "the edit call was replayed from the journal, not asked again"
    patch = (home / "jobs" / job_id / "patch.diff").read_text()
    assert patch.count('default=Decimal("0")') == 1
    events = Trajectory(home / "jobs" / job_id / "trajectory.jsonl").events()
    edits = [e for e in events if e["event"] == "tool_call" and e["tool"] == "search_replace"]
    assert len(edits) == 2 and all(not e["error"] for e in edits), "re-applied once on the restored workspace"
    assert any(e["event"] == "restored" for e in events)
    assert any(e["event"] == "model_call" and e["replayed"] for e in events)


def test_sigterm_stops_a_job_like_ctrl_c_saved_for_resume_with_exit_143(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = script("shop-resolved")["steps"]
    stalled = copy.deepcopy(steps[CODER_RUN_TESTS])
    stalled["delay_s"] = 600
    home = tmp_path / "home"
    with ScriptedModelServer({"steps": [*steps[:CODER_RUN_TESTS], stalled]}) as server:
        env = cli_env(home, server.base_url)
        process = subprocess.Popen(
            [sys.executable, "-m", "swe_team", *run_args(repo, "--yes-destructive")],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        wait_for(lambda: len(server.requests) > CODER_RUN_TESTS, what="the stalled coder call")
        process.terminate()
        output, _ = process.communicate(timeout=60)
        (job_id,) = job_ids(home)
        listed = swe_team("jobs", "--json", env=env)
    assert process.returncode == 143, output
    assert "terminated" in output and f"continue with `swe-team resume {job_id}`" in output
    assert json.loads(listed.stdout)[0]["status"] == "interrupted"
