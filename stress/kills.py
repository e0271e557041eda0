"""kill -9 at random moments of a job the CLI runs, workspace creation included, then `swe-team resume` until
the job ends: it must end as the unkilled run did (status and patch), with nothing of its workspace left.

One trial in five kills while the workspace is being made (at a random time between the job record and the
first event); the others kill after a random event of the job's trajectory plus a random part of the time the
unkilled run took to its next event, so the moments cover the whole job whatever the machine's speed. A trial
whose job ended before its kill tried nothing and counts as lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from pathlib import Path

from harness.cli import cli_env, run_args, swe_team, wait_for
from harness.example import example_repo, resolved_steps
from stress.servers import ConversationServer
from stress.table import Outcome, Trial, trial

FAMILY = "kill -9"
RESUMES = 3


@dataclass(frozen=True)
class Reference:
    """How the job ends unkilled, and how long its phases take (seconds from the job record's appearance)."""

    status: str
    patch: str
    creation_s: float
    gaps_s: list[float]
    """Seconds from each trajectory event to the next."""


def events_written(trajectory: Path) -> int:
    return trajectory.read_bytes().count(b"\n") if trajectory.exists() else 0


def _start(where: Path, backend: str, server: ConversationServer) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    repo = example_repo(where)
    env = cli_env(where / "home", server.base_url, SWE_TEAM_WORKSPACE=backend)
    process = subprocess.Popen(
        [sys.executable, "-m", "swe_team", *run_args(repo, "--yes-destructive", "--json")],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return process, env


def _job_record(home: Path, process: subprocess.Popen[bytes]) -> Path | None:
    found = wait_for(
        lambda: next(home.glob("jobs/*/job.json"), None) or process.poll() is not None,
        timeout=600, what="the job record", interval=0.005,
    )
    return found if isinstance(found, Path) else None


def reference(where: Path, backend: str) -> Reference:
    server = ConversationServer(resolved_steps())
    with server:
        process, _ = _start(where, backend, server)
        record = _job_record(where / "home", process)
        appeared = time.time()
        process.wait(timeout=1800)
    assert record is not None, "the unkilled job wrote no record"
    job = json.loads(record.read_text())
    folder = record.parent
    events = [json.loads(line) for line in (folder / "trajectory.jsonl").read_text().splitlines()]
    return Reference(
        status=job["status"],
        patch=(folder / "patch.diff").read_text() if (folder / "patch.diff").exists() else "",
        creation_s=max(0.05, events[0]["ts"] - appeared),
        gaps_s=[after["ts"] - before["ts"] for before, after in pairwise(events)],
    )


def _leftovers(job_id: str) -> list[str]:
    from workspaces.docker import connect

    client = connect()
    selector = {"label": f"swe-team.job={job_id}"}
    return [f"container {c.name}" for c in client.containers.list(all=True, filters=selector)] + [
        f"volume {v.name}" for v in client.volumes.list(filters=selector)
    ]


def kill_once(where: Path, backend: str, after_event: int, delay: float, ref: Reference) -> tuple[Outcome, str]:
    home = where / "home"
    server = ConversationServer(resolved_steps())
    with server:
        process, env = _start(where, backend, server)
        record = _job_record(home, process)
        if record is not None:
            trajectory = record.parent / "trajectory.jsonl"
            wait_for(lambda: events_written(trajectory) >= after_event or process.poll() is not None,
                     timeout=1800, what=f"event {after_event} of the job", interval=0.005)
        time.sleep(delay)
        killed = process.poll() is None
        if killed:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        if record is None:
            return "crashed", f"the run ended (exit {process.returncode}) without a job record"
        job_id = record.parent.name
        shown = [job["status"] for job in json.loads(swe_team("jobs", "--json", env=env).stdout)]
        if killed and shown not in (["interrupted"], ["resolved"]):
            return "lost", f"killed at {delay:.2f} s, `jobs` showed {shown}"
        status, errors = json.loads(record.read_text())["status"], []
        for _ in range(RESUMES if status not in ("resolved", "unresolved", "failed") else 0):
            resumed = swe_team("resume", job_id, "--json", env=env, timeout=1800)
            if resumed.returncode == 0:
                status = json.loads(resumed.stdout)["status"]
                break
            errors.append(resumed.stderr.strip().splitlines()[-1:])
    if not killed:
        return "lost", "the job ended before the kill: nothing was tried"
    where_killed = f"killed {delay:.2f} s after " + (f"event {after_event}" if after_event else "the job record")
    if status != ref.status:
        return ("crashed" if errors else "lost"), f"{where_killed}: ended {status}; {errors}"
    patch = (home / "jobs" / job_id / "patch.diff").read_text()
    if patch != ref.patch:
        return "lost", f"{where_killed}: the patch differs from the unkilled run's"
    left = _leftovers(job_id) if backend == "docker" else []
    if left:
        return "lost", f"{where_killed}: left {', '.join(left)}"
    return "recovered", f"{where_killed} ({len(errors)} failed resumes)"


def kill_trials(workdir: Path, count: int, backends: list[str], rng: random.Random) -> list[Trial]:
    trials: list[Trial] = []
    per_backend = max(1, count // len(backends))
    for backend in backends:
        ref = reference(workdir / f"reference-{backend}", backend)
        creation = max(1, per_backend // 5)
        moments = [(0, rng.uniform(0, ref.creation_s)) for _ in range(creation)]
        for _ in range(per_backend - creation):
            event = rng.randint(1, len(ref.gaps_s))
            moments.append((event, rng.uniform(0, ref.gaps_s[event - 1])))
        for number, (event, delay) in enumerate(moments):
            phase = "workspace creation" if number < creation else f"after event {event}"
            name = f"{backend} #{number + 1} ({phase}, +{delay:.2f} s)"
            where = workdir / f"{backend}-{number}"
            trials.append(trial(FAMILY, name, partial(kill_once, where, backend, event, delay, ref)))
    return trials
