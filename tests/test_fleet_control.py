"""Queue positions, `swe-team cancel` of a queued and of a running job, with real Redis, PostgreSQL and a worker."""

from __future__ import annotations

import json
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from harness.cli import swe_team, wait_for
from harness.example import example_repo, script
from harness.fleet import Fleet
from swe_team.fleet.board import board_for
from swe_team.fleet.records import RedisJobRecords


def test_queue_positions_then_cancel_a_queued_job_and_a_running_one(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    repo = example_repo(tmp_path)
    slow_plan = {"expect": {"role": "planner"}, "response": script("shop-resolved")["steps"][0]["response"],
                 "delay_s": 4}
    with ScriptedModelServer({"steps": [slow_plan]}) as server:
        fleet = Fleet(tmp_path / "home", server.base_url, redis_url, postgres_url, extra={"budgets.max_tokens": "10"})
        try:
            ids = []
            for task, priority in (("normal job", "5"), ("urgent job", "9")):
                done = swe_team("submit", "--repo", str(repo), "--task", task, "--priority", priority, env=fleet.env)
                assert done.returncode == 0, done.stderr
                ids.append(done.stdout.strip())
            normal, urgent = ids
            listed = {j["id"]: j for j in json.loads(swe_team("jobs", "--json", env=fleet.env).stdout)}
            assert listed[urgent]["fleet"]["position"] == 1 and listed[normal]["fleet"]["position"] == 2
            assert listed[normal]["status"] == "queued"

            cancelled = swe_team("cancel", urgent, "--json", env=fleet.env)
            assert cancelled.returncode == 0, cancelled.stderr
            assert json.loads(cancelled.stdout)["status"] == "cancelled"

            fleet.start_worker("a", concurrency=1)
            board = board_for(fleet.settings())
            records = RedisJobRecords(board.client, board.keys)
            wait_for(lambda: len(server.requests) == 1, what="the normal job's planner call")
            assert getattr(records.get(normal), "status", "") == "running"
            stopped = swe_team("cancel", normal, "--json", env=fleet.env)
            assert stopped.returncode == 0, stopped.stderr
            assert json.loads(stopped.stdout)["status"] == "cancelled"
            wait_for(lambda: board.lease_holder(normal) == "", what="the worker to let the job go")
            again = swe_team("cancel", normal, env=fleet.env)
        finally:
            fleet.stop()
        assert server.failures == []
    assert again.returncode == 1 and "already finished (cancelled)" in again.stderr
    assert not (fleet.home / "jobs" / normal / "workspace").exists(), "the cancelled job's workspace is cleaned"
    assert [e["event"] for e in board.events(urgent)] == ["queued", "cancelled", "skipped"]
    normal_events = [e["event"] for e in board.events(normal)]
    assert normal_events[:3] == ["queued", "started", "cancelled"]
    assert set(normal_events[3:]) <= {"skipped"}, "a message redelivered after the cancel is only skipped"
