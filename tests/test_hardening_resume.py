"""A job is resumable from the moment it exists: killed while its workspace is being made, before any
checkpoint, it shows as interrupted and `swe-team resume` starts it again from intake on a clean workspace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, run_args, swe_team, wait_for
from harness.example import example_repo
from tests.job_fixtures import assert_script_done


def test_a_job_killed_before_its_first_checkpoint_is_started_again_by_resume(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    prose = {"expect": {"role": "planner"}, "response": {"content": "I would make the cart safe."}}
    with ScriptedModelServer({"steps": [prose, prose]}) as server:
        env = cli_env(home, server.base_url, SWE_TEAM_MODELS__FORMAT_RETRIES="1")
        process = subprocess.Popen(
            [sys.executable, "-m", "swe_team", *run_args(repo, "--json")],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        record = wait_for(lambda: next(home.glob("jobs/*/job.json"), None), what="the job record", interval=0.005)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        job_id = record.parent.name
        assert server.requests == [], "killed before any model call"
        listed = json.loads(swe_team("jobs", "--json", env=env).stdout)
        resumed = swe_team("resume", job_id, "--json", env=env)
        assert resumed.returncode == 0, resumed.stderr
        assert_script_done(server, resumed.stderr)
    assert [job["status"] for job in listed] == ["interrupted"]
    assert "the job stopped before its first checkpoint" in " ".join(resumed.stderr.split())
    assert json.loads(resumed.stdout)["status"] == "unresolved"
    report = (home / "jobs" / job_id / "report.md").read_text()
    assert "the model's output was unusable 2 times" in report
    assert "started again from intake" in report
    assert not (home / "jobs" / job_id / "workspace").exists(), "the job's workspace was closed at its end"


def test_resume_refuses_a_tests_gap_job_and_says_which_command_runs_it_again(tmp_path: Path) -> None:
    from core.jobs import Job, JobStore

    home = tmp_path / "home"
    store = JobStore(home / "jobs")
    store.create(Job(id="gap1", repo=str(tmp_path), task="tests-gap: tests for 2 functions", kind="tests-gap",
                     status="running", pid=2**22 + 7))
    resumed = swe_team("resume", "gap1", env=cli_env(home, "http://127.0.0.1:9"))
    assert resumed.returncode == 1
    said = " ".join(resumed.stderr.split())
    assert "job gap1 is a tests-gap job: it has no team graph to resume" in said
    assert "swe-team tests-gap" in said


def test_a_job_that_crashes_in_native_code_leaves_every_threads_stack_and_resume_says_where(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    prose = {"expect": {"role": "planner"}, "response": {"content": "I would make the cart safe."}}
    slow = {**prose, "delay_s": 30.0}
    with ScriptedModelServer({"steps": [slow, prose, prose]}) as server:
        env = cli_env(home, server.base_url, SWE_TEAM_MODELS__FORMAT_RETRIES="1")
        process = subprocess.Popen(
            [sys.executable, "-m", "swe_team", *run_args(repo, "--json")],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: server.requests or None, what="the planner's model call")
        os.kill(process.pid, signal.SIGSEGV)  # as a segfault in a native library would
        assert process.wait(timeout=30) == -signal.SIGSEGV
        (job_dir,) = (home / "jobs").iterdir()
        stacks = (job_dir / "crash.log").read_text()
        resumed = swe_team("resume", job_dir.name, "--json", env=env)
        assert resumed.returncode == 0, resumed.stderr
    assert "Fatal Python error: Segmentation fault" in stacks and "Current thread" in stacks
    (kept,) = job_dir.glob("crash-*.log")
    said = " ".join(resumed.stderr.split())
    assert f"crashed inside a native library (a segfault or an abort), not in swe-team's Python code: every " \
           f"thread's stack is in {kept}" in said
    assert kept.read_text() == stacks and not (job_dir / "crash.log").exists(), "reported once, kept"
