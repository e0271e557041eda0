"""Two real `swe-team worker` processes on Redis and PostgreSQL: a batch with one worker killed, and a gate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from core.model.scripted_server import ScriptedModelServer
from core.trajectory import Trajectory
from harness.cli import swe_team, wait_for
from harness.example import example_repo, git, script
from harness.fleet import Fleet
from swe_team.fleet.board import board_for
from swe_team.fleet.control import submit_job
from swe_team.fleet.records import RedisJobRecords
from swe_team.runner import JobRequest

BATCH = 6
ENDS_A_RUN = ("finished", "released", "orphaned", "cancelled")


def _planner_step(delay_s: float) -> dict[str, Any]:
    answer = script("shop-resolved")["steps"][0]["response"]
    return {"expect": {"role": "planner"}, "response": answer, "delay_s": delay_s}


def _never_two_runs_at_once(events: list[dict[str, Any]]) -> None:
    running = False
    for event in events:
        if event["event"] == "started":
            assert not running, f"started again while running: {events}"
            running = True
        elif event["event"] in ENDS_A_RUN:
            running = False


def test_batch_on_two_workers_with_one_killed_mid_job_ends_every_job_exactly_once(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    repo = example_repo(tmp_path)
    steps = [_planner_step(1.5) for _ in range(BATCH + 4)]
    with ScriptedModelServer({"steps": steps}) as server:
        fleet = Fleet(tmp_path / "home", server.base_url, redis_url, postgres_url, extra={"budgets.max_tokens": "10"})
        try:
            fleet.start_worker("a")
            fleet.start_worker("b")
            settings = fleet.settings()
            board = board_for(settings)
            submitted = swe_team("submit", "--repo", str(repo), "--task", "job 0: empty cart crashes", env=fleet.env)
            assert submitted.returncode == 0, submitted.stderr
            ids = [submitted.stdout.strip()]
            ids += [submit_job(settings, JobRequest(repo, f"job {n}: empty cart crashes")).id for n in range(1, BATCH)]

            def started_on_a() -> list[str]:
                return [j for j in ids if any(e["event"] == "started" and e["worker"] == "a" for e in board.events(j))]

            wait_for(started_on_a, timeout=120, what="worker a to start a job")
            wait_for(lambda: len(server.requests) >= 1, what="a model call in flight")
            killed_at = fleet.kill("a")
            victims = [j for j in started_on_a() if not any(e["event"] == "finished" for e in board.events(j))]
            records = RedisJobRecords(board.client, board.keys)

            def all_ended() -> bool:
                return all(
                    getattr(records.get(j), "status", "") == "unresolved"
                    and any(e["event"] == "finished" for e in board.events(j))
                    for j in ids
                )

            wait_for(all_ended, timeout=180, what="every job to end")
            for job_id in victims:
                wait_for(
                    lambda job_id=job_id: any(e["event"] in ("skipped", "duplicate") for e in board.events(job_id)),
                    timeout=60, what="the killed worker's message to be delivered again",
                )
        finally:
            fleet.stop()
        assert server.failures == []
    assert victims, "worker a was killed while it ran a job"
    for job_id in ids:
        events = board.events(job_id)
        _never_two_runs_at_once(events)
        assert [e["event"] for e in events].count("finished") == 1, events
        finalized = [e for e in Trajectory(fleet.home / "jobs" / job_id / "trajectory.jsonl").events()
                     if e["event"] == "finalized"]
        assert len(finalized) == 1, job_id
    for job_id in victims:
        events = board.events(job_id)
        resumed = [e for e in events if e["event"] == "started" and e["worker"] == "b"]
        assert resumed and resumed[0]["at"] > killed_at
        assert resumed[0]["at"] - killed_at < 2 * 3 + 2, "resumed within twice the lease time (3 s) plus a heartbeat"
        assert next(e for e in events if e["event"] == "finished")["worker"] == "b"


APPROVE_FROM_ANOTHER_PROCESS = """
import sys
from swe_team.approval import record_decision
from core.settings import load_settings
from swe_team.fleet.control import continue_in_fleet
settings = load_settings()[0]
job = record_decision(settings, sys.argv[1], {"action": "approve", "comment": "go on"})
continue_in_fleet(settings, job)
"""


def test_job_at_a_gate_holds_no_worker_and_finishes_on_a_worker_once_approved_elsewhere(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    repo = example_repo(tmp_path)
    with ScriptedModelServer(script("shop-resolved")) as server:
        fleet = Fleet(tmp_path / "home", server.base_url, redis_url, postgres_url)
        try:
            fleet.start_worker("a", concurrency=1)
            fleet.start_worker("b", concurrency=1)
            board = board_for(fleet.settings())
            submitted = swe_team(
                "submit", "--repo", str(repo), "--task-file", str(repo / "ISSUE.md"), "--approve", "plan",
                "--yes-destructive", "--json", env=fleet.env,
            )
            assert submitted.returncode == 0, submitted.stderr
            job_id = json.loads(submitted.stdout)["id"]
            records = RedisJobRecords(board.client, board.keys)
            wait_for(lambda: getattr(records.get(job_id), "status", "") == "waiting", what="the plan gate")
            wait_for(lambda: any(e["event"] == "released" for e in board.events(job_id)), what="the worker release")

            workers = json.loads(swe_team("workers", "--json", env=fleet.env).stdout)
            assert sorted(w["id"] for w in workers) == ["a", "b"]
            assert all(w["running"] == [] for w in workers), "a job waiting at a gate holds no worker"
            (listed,) = json.loads(swe_team("jobs", "--json", env=fleet.env).stdout)
            assert listed["status"] == "waiting" and listed["gate"] == "plan"
            assert listed["fleet"]["worker"] == "" and listed["fleet"]["position"] is None

            approval = subprocess.run(
                [sys.executable, "-c", APPROVE_FROM_ANOTHER_PROCESS, job_id],
                env=fleet.env, capture_output=True, text=True, timeout=60,
            )
            assert approval.returncode == 0, approval.stderr
            wait_for(lambda: board.events(job_id)[-1]["event"] == "finished", what="the worker to finish the job")
            assert getattr(records.get(job_id), "status", "") == "resolved"
        finally:
            fleet.stop()
        assert server.failures == [] and server.remaining == 0
    # A redelivered message (a loaded machine) is turned away by the lease as `duplicate`: harmless, not a run.
    names = [e["event"] for e in board.events(job_id) if e["event"] not in ("duplicate", "skipped")]
    assert names == ["queued", "started", "released", "queued", "started", "finished"]
    decisions = [e for e in Trajectory(fleet.home / "jobs" / job_id / "trajectory.jsonl").events()
                 if e["event"] == "decision"]
    assert [(d["gate"], d["action"]) for d in decisions] == [("plan", "approve")]
    assert git(repo, "branch", "--list", f"swe-team/{job_id}").strip()
