"""Redis, the experience memory of a job, goes away in the middle of the job (stopped after a random event of its
trajectory, back a few seconds later on the same port with what it held): the job must still resolve, and its
lesson must reach Redis. (Redis away when a job starts is a clear error, or the SQLite fallback when configured.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import redis
from pydantic import SecretStr

from core.settings import Settings
from core.trajectory import Trajectory
from harness.cli import cli_env, run_args, wait_for
from harness.example import example_repo, resolved_steps
from harness.services import start_server, stop_server
from memory.experience import open_store
from stress.kills import events_written
from stress.servers import ConversationServer
from stress.table import Outcome, Trial, trial

FAMILY = "redis outage"
DOWN_S = 4.0
JOB_EVENTS = 29
"""Trajectory events of the example job before its last (its lesson is stored near the end): the outage starts
after a random one of them, whatever the machine's speed."""


def _shut_down_keeping_data(url: str, run_dir: Path) -> None:
    """Redis goes away as a server with persistence does: what it held before is there when it comes back (the
    throwaway server keeps nothing on its own, and a lesson stored before the outage would be lost to the test)."""
    redis.Redis.from_url(url, socket_timeout=10).shutdown(save=True)
    stop_server("redis", run_dir)


def outage_once(where: Path, at_event: int) -> tuple[Outcome, str]:
    run_dir = where / "redis"
    url = start_server("redis", run_dir)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    home = where / "home"
    try:
        with ConversationServer(resolved_steps()) as server:
            env = cli_env(home, server.base_url, SWE_TEAM_MEMORY="redis", SWE_TEAM_REDIS_URL=url)
            process = subprocess.Popen(
                [sys.executable, "-m", "swe_team", *run_args(example_repo(where), "--yes-destructive", "--json")],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
            record = wait_for(lambda: next(home.glob("jobs/*/job.json"), None), timeout=600, what="the job record")
            trajectory = record.parent / "trajectory.jsonl"
            wait_for(lambda: events_written(trajectory) >= at_event or process.poll() is not None, timeout=1800,
                     what=f"event {at_event} of the job", interval=0.02)
            ended_first = process.poll() is not None
            _shut_down_keeping_data(url, run_dir)
            time.sleep(DOWN_S)
            start_server("redis", run_dir, port)
            output, _ = process.communicate(timeout=1800)
        if process.returncode != 0:
            return "crashed", f"the job exited {process.returncode}"
        job = json.loads(output)
        events = Trajectory(home / "jobs" / job["id"] / "trajectory.jsonl").events()
        lesson = next((e["id"] for e in events if e["event"] == "lesson_stored"), None)
        store = open_store(Settings(home=home, memory="redis", redis_url=SecretStr(url)))  # flushes what was queued
        try:
            kept = lesson is not None and store.get(lesson) is not None
        finally:
            store.close()
    finally:
        stop_server("redis", run_dir)
    if job["status"] != "resolved":
        return "lost", f"Redis down after event {at_event}: the job ended {job['status']}"
    if ended_first:
        return "lost", f"the job had ended before its event {at_event}: no outage was tried"
    return ("recovered" if kept else "lost"), f"Redis down after event {at_event} for {DOWN_S:.0f} s" + (
        "" if kept else f"; lesson {lesson} is not in Redis"
    )


def outage_trials(workdir: Path, count: int, rng: random.Random) -> list[Trial]:
    moments = [rng.randint(1, JOB_EVENTS) for _ in range(count)]
    return [
        trial(FAMILY, f"#{n + 1} after event {at}", partial(outage_once, workdir / f"outage-{n}", at))
        for n, at in enumerate(moments)
    ]
