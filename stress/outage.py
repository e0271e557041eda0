"""Redis, the experience memory of a job, goes away in the middle of the job (stopped at a random moment after the
job record appears, back a few seconds later on the same port): the job must still resolve, and its lesson must
reach Redis. (Redis away when a job starts is a clear error, or the SQLite fallback when configured.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from pydantic import SecretStr

from core.settings import Settings
from core.trajectory import Trajectory
from harness.cli import cli_env, run_args, wait_for
from harness.example import example_repo, resolved_steps
from harness.services import start_server, stop_server
from memory.experience import open_store
from stress.servers import ConversationServer
from stress.table import Outcome, Trial, trial

FAMILY = "redis outage"
DOWN_S = 4.0


def outage_once(where: Path, at_s: float) -> tuple[Outcome, str]:
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
            wait_for(lambda: next(home.glob("jobs/*/job.json"), None), timeout=600, what="the job record")
            time.sleep(at_s)
            ended_first = process.poll() is not None
            stop_server("redis", run_dir)
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
        return "lost", f"Redis down at {at_s:.1f} s: the job ended {job['status']}"
    if ended_first:
        return "lost", f"the job had ended before Redis stopped at {at_s:.1f} s: no outage was tried"
    return ("recovered" if kept else "lost"), f"Redis down at {at_s:.1f} s for {DOWN_S:.0f} s" + (
        "" if kept else f"; lesson {lesson} is not in Redis"
    )


def outage_trials(workdir: Path, count: int, rng: random.Random) -> list[Trial]:
    moments = [rng.uniform(0.0, 45.0) for _ in range(count)]
    return [
        trial(FAMILY, f"#{n + 1} at {at:.1f} s", partial(outage_once, workdir / f"outage-{n}", at))
        for n, at in enumerate(moments)
    ]
