"""Fleet benchmarks with real Redis, PostgreSQL, `swe-team worker` processes and the scripted model.

    .venv/bin/python -m benchmarks.bench_fleet [--jobs 100] [--overhead-samples 5] [--skip-kill] [--quick]

1. queue overhead: submit → the first role (planner) starts, one idle worker;
2. throughput of N one-call jobs on 1 vs 2 worker processes (2 slots each) and the ratio;
3. a killed worker's job resumed by the other worker, with the default lease (15 s) and visibility (60 s) timeouts
   (with --quick: the tests' 3 s lease and 10 s visibility).
Services come from SWE_TEAM_TEST_REDIS_URL / SWE_TEAM_TEST_POSTGRES_URL, else private ones are started.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

from core.model.scripted_server import ScriptedModelServer
from core.trajectory import Trajectory
from harness.cli import wait_for
from harness.example import example_repo, resolved_steps
from harness.fleet import Fleet
from harness.services import run_unless_unavailable, service
from swe_team.fleet.board import board_for
from swe_team.fleet.control import submit_job
from swe_team.fleet.records import RedisJobRecords
from swe_team.runner import JobRequest

ONE_CALL = {"budgets.max_tokens": "10"}


def planner_steps(count: int, delay_s: float = 0.0) -> dict[str, Any]:
    answer = resolved_steps()[0]["response"]
    return {"steps": [{"response": answer, "delay_s": delay_s} for _ in range(count)]}


def ended(records: RedisJobRecords, job_id: str) -> bool:
    job = records.get(job_id)
    return job is not None and job.status in ("resolved", "unresolved", "failed", "cancelled")


def queue_overhead(work: Path, repo: Path, urls: tuple[str, str], samples: int) -> None:
    with ScriptedModelServer(planner_steps(samples)) as server:
        fleet = Fleet(work / "overhead", server.base_url, *urls, extra=ONE_CALL)
        try:
            fleet.start_worker("idle", concurrency=1)
            settings = fleet.settings()
            board = board_for(settings)
            wait_for(lambda: board.live_workers(), what="the worker")
            time.sleep(3)
            records = RedisJobRecords(board.client, board.keys)
            figures = []
            for n in range(samples):
                submitted_at = time.time()
                job = submit_job(settings, JobRequest(repo, f"overhead {n}: empty cart crashes"))
                trajectory = Trajectory(fleet.home / "jobs" / job.id / "trajectory.jsonl")

                def planner_started(trajectory: Trajectory = trajectory) -> float:
                    starts = [e["ts"] for e in trajectory.events() if e.get("event") == "node_start"
                              and e.get("node") == "planner"]
                    return float(starts[0]) if starts else 0.0

                figures.append(wait_for(planner_started, timeout=60, what="the planner") - submitted_at)
                wait_for(partial(ended, records, job.id), timeout=60, what="the job to end")
        finally:
            fleet.stop()
    print(f"queue overhead (submit → planner starts, idle worker): median {statistics.median(figures):.3f} s, "
          f"max {max(figures):.3f} s over {samples} jobs (goal ≤ 0.5 s)")


def throughput(work: Path, repo: Path, urls: tuple[str, str], jobs: int, processes: int) -> float:
    with ScriptedModelServer(planner_steps(jobs)) as server:
        fleet = Fleet(work / f"throughput-{processes}", server.base_url, *urls, extra=ONE_CALL)
        try:
            for n in range(processes):
                fleet.start_worker(f"w{n}", concurrency=2)
            settings = fleet.settings()
            board = board_for(settings)
            wait_for(lambda: len(board.live_workers()) == processes, what="the workers")
            time.sleep(3)
            records = RedisJobRecords(board.client, board.keys)
            started = time.monotonic()
            ids = [submit_job(settings, JobRequest(repo, f"batch {n}: empty cart crashes")).id for n in range(jobs)]
            wait_for(lambda: all(ended(records, j) for j in ids), timeout=3600, what="the batch")
            seconds = time.monotonic() - started
            outcomes = Counter(getattr(records.get(j), "status", "?") for j in ids)
        finally:
            fleet.stop()
    print(f"throughput, {processes} worker process(es) × 2 slots: {jobs} jobs in {seconds:.1f} s "
          f"({jobs / seconds:.2f} jobs/s; {dict(outcomes)}; model calls {len(server.requests)})")
    return seconds


def kill_resume(work: Path, repo: Path, urls: tuple[str, str], short_leases: bool) -> None:
    with ScriptedModelServer(planner_steps(2, delay_s=30)) as server:
        fleet = Fleet(work / "kill", server.base_url, *urls, extra=ONE_CALL, short_leases=short_leases)
        try:
            fleet.start_worker("a", concurrency=1)
            settings = fleet.settings()
            board = board_for(settings)
            wait_for(lambda: board.live_workers(), what="worker a")
            job = submit_job(settings, JobRequest(repo, "killed: empty cart crashes"))
            wait_for(lambda: len(server.requests) == 1, timeout=60, what="the job's model call")
            fleet.start_worker("b", concurrency=1)
            wait_for(lambda: len(board.live_workers()) == 2, what="worker b")
            killed_at = fleet.kill("a")

            def resumed_at() -> float:
                starts = [e["at"] for e in board.events(job.id) if e["event"] == "started" and e["worker"] == "b"]
                return float(starts[0]) if starts else 0.0

            seconds = wait_for(resumed_at, timeout=300, what="worker b to resume the job") - killed_at
        finally:
            fleet.stop()
    lease = settings.fleet.lease_seconds
    print(f"killed worker's job resumed elsewhere after {seconds:.1f} s (lease {lease:.0f} s, heartbeat "
          f"{settings.fleet.worker_heartbeat_s:.0f} s, visibility {settings.fleet.visibility_timeout_s:.0f} s; "
          f"goal ≤ {2 * lease:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--overhead-samples", type=int, default=5)
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--quick", action="store_true", help="4 jobs, 1 overhead sample, short leases")
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.overhead_samples = 4, 1
    with (
        tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp,
        service("redis", Path(tmp) / "redis") as redis_url,
        service("postgres", Path(tmp) / "postgres") as postgres_url,
    ):
        work, urls = Path(tmp), (redis_url, postgres_url)
        repo = example_repo(work)
        queue_overhead(work, repo, urls, args.overhead_samples)
        one = throughput(work, repo, urls, args.jobs, 1)
        two = throughput(work, repo, urls, args.jobs, 2)
        print(f"throughput ratio, 2 vs 1 worker processes: {one / two:.2f}×")
        if not args.skip_kill:
            kill_resume(work, repo, urls, short_leases=args.quick)

if __name__ == "__main__":
    run_unless_unavailable(main)
