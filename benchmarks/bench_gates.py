"""Gate latency: from a decision to the next role starting, and from `swe-team chat` to its first screen.

Goals: decision → next role ≤ 200 ms (in the same process, and through `record_decision` + `continue_job`, which
reads the checkpoint and reattaches the workspace); chat start → first screen ≤ 1 s.

    .venv/bin/python -m benchmarks.bench_gates [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pexpect
from rich.console import Console
from rich.table import Table

from core.jobs import Job
from core.model.scripted_server import ScriptedModelServer
from core.settings import ModelAlias, ModelSettings, Settings
from core.trajectory import Trajectory
from harness.cli import cli_env, run_args
from harness.example import example_repo, resolved_steps
from harness.terminal import spawn
from swe_team.approval import NeedsHuman, NoHumanApprover, record_decision
from swe_team.runner import JobRequest, JobRunner, continue_job

QUIET = Console(file=open("/dev/null", "w"))  # noqa: SIM115


class TimedApprover:
    """Approves the plan gate (noting when), rejects the locations gate so the job ends quickly."""

    def __init__(self) -> None:
        self.decided_at = 0.0

    def ask(self, payload: dict[str, Any], context: Any = None) -> dict[str, Any]:
        if payload["gate"] == "plan":
            self.decided_at = time.time()
            return {"action": "approve", "comment": ""}
        return {"action": "reject", "comment": "benchmark over"}


def _settings(where: Path, base_url: str) -> Settings:
    alias = ModelAlias(api_base=base_url, context_window=16384)
    return Settings(
        home=where / "home", workspace="local", test_command=f"{sys.executable} -m pytest",
        models=ModelSettings(instruct=alias, reasoning=alias),
    )


def _localizer_start(settings: Settings, job: Job) -> float:
    events = Trajectory(settings.jobs_dir / job.id / "trajectory.jsonl").events()
    return float(next(e["ts"] for e in events if e["event"] == "node_start" and e["node"] == "localizer"))


def _in_process(where: Path) -> float:
    repo = example_repo(where)
    with ScriptedModelServer({"context_window": 16384, "steps": resolved_steps()[:3]}) as server:
        settings = _settings(where, server.base_url)
        approver = TimedApprover()
        job = JobRunner(settings, approver, QUIET).start(
            JobRequest(repo=repo, task=(repo / "ISSUE.md").read_text(), approve="plan,locations")
        )
    return _localizer_start(settings, job) - approver.decided_at


def _after_restart(where: Path) -> float:
    """The job waits at the plan gate with no process; a script approves it (decision stored, job continued)."""
    repo = example_repo(where)
    with ScriptedModelServer({"context_window": 16384, "steps": resolved_steps()[:3]}) as server:
        settings = _settings(where, server.base_url)
        runner = JobRunner(settings, NoHumanApprover(), QUIET)
        job = runner.create(JobRequest(repo=repo, task=(repo / "ISSUE.md").read_text(), approve="plan,locations"))
        with contextlib.suppress(NeedsHuman):
            runner.begin(job)
        decided = time.time()
        job = record_decision(settings, job.id, {"action": "approve"})
        job.flags = {"home": str(settings.home), "workspace": "local", "api_base": server.base_url,
                     "test_command": settings.test_command}
        continue_job(job, TimedApprover(), QUIET)
    return _localizer_start(settings, job) - decided


def _chat_first_screen(where: Path, runs: int) -> list[float]:
    repo = example_repo(where)
    home = where / "home"
    with ScriptedModelServer({"context_window": 16384, "steps": resolved_steps()[:1]}) as server:
        env = cli_env(home, server.base_url)
        run = spawn(run_args(repo, "--approve", "plan"), env)
        run.expect_exact("plan> ")
        run.sendline("quit")
        run.expect(pexpect.EOF)
        job_id = next((home / "jobs").iterdir()).name
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            chat = spawn(["chat", job_id], env)
            chat.expect_exact("approve · reject")
            timings.append(time.perf_counter() - started)
            chat.expect_exact("plan> ")
            chat.sendline("quit")
            chat.expect(pexpect.EOF)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each: does it still run?")
    runs = 1 if parser.parse_args().quick else 5
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        same = [_in_process(root / f"same{i}") for i in range(runs)]
        restarted = [_after_restart(root / f"restart{i}") for i in range(runs)]
        screens = _chat_first_screen(root / "chat", runs)
    table = Table("measure", "median", "max", "goal", title=f"gates ({runs} runs each)")
    for name, values, goal in (
        ("decision → next role, same process", same, "≤ 200 ms"),
        ("decision → next role, after restart (approve JOB)", restarted, "≤ 200 ms"),
        ("swe-team chat → first screen", screens, "≤ 1 s"),
    ):
        table.add_row(name, f"{statistics.median(values) * 1000:.0f} ms", f"{max(values) * 1000:.0f} ms", goal)
    Console().print(table)


if __name__ == "__main__":
    main()
