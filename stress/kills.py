"""kill -9 at random moments of a job the CLI runs, workspace creation included, then `swe-team resume` until
the job ends: it must end as the unkilled run did (status and patch), with nothing of its workspace left.

The moments are spread over the whole job by time (stratified), and one trial in five kills while the
workspace is being made (between the job record and the first node)."""

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
    total_s: float


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
        total_s=time.time() - appeared,
    )


def _leftovers(job_id: str) -> list[str]:
    from workspaces.docker import connect

    client = connect()
    selector = {"label": f"swe-team.job={job_id}"}
    return [f"container {c.name}" for c in client.containers.list(all=True, filters=selector)] + [
        f"volume {v.name}" for v in client.volumes.list(filters=selector)
    ]


def kill_once(where: Path, backend: str, delay: float, ref: Reference) -> tuple[Outcome, str]:
    home = where / "home"
    server = ConversationServer(resolved_steps())
    with server:
        process, env = _start(where, backend, server)
        record = _job_record(home, process)
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
    where_killed = f"killed at {delay:.2f} s" if killed else "finished before the kill"
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
        delays = [rng.uniform(0, ref.creation_s) for _ in range(creation)]
        spread = per_backend - creation
        delays += [ref.total_s * (k + rng.random()) / spread for k in range(spread)]
        for number, delay in enumerate(delays):
            phase = "workspace creation" if number < creation else "job"
            name = f"{backend} #{number + 1} ({phase}, {delay:.2f} s)"
            where = workdir / f"{backend}-{number}"
            trials.append(trial(FAMILY, name, partial(kill_once, where, backend, delay, ref)))
    return trials
