"""Orchestration overhead per graph step, `swe-team --help` wall time, and the example job end to end.

The scripted model server answers instantly, so what is left between nodes is LangGraph's scheduling plus the
SQLite checkpoint write.

    .venv/bin/python -m benchmarks.bench_orchestration [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from core.model.scripted_server import ScriptedModelServer
from core.settings import ModelAlias, ModelSettings, Settings
from core.trajectory import Trajectory
from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, script
from swe_team.approval import AutoApprover
from swe_team.runner import JobRequest, JobRunner


def _job_in_process(where: Path) -> tuple[float, list[float]]:
    """Wall time of one job and the per-step overheads (time between one node's end and the next's start)."""
    repo = example_repo(where)
    with ScriptedModelServer(script("shop-resolved")) as server:
        alias = ModelAlias(api_base=server.base_url, context_window=16384)
        settings = Settings(
            home=where / "home",
            workspace="local",
            test_command=f"{sys.executable} -m pytest",
            models=ModelSettings(instruct=alias, reasoning=alias),
        )
        runner = JobRunner(settings, AutoApprover(), Console(file=open("/dev/null", "w")))  # noqa: SIM115
        started = time.perf_counter()
        job = runner.start(JobRequest(repo=repo, task=(repo / "ISSUE.md").read_text(), yes_destructive=True))
        wall = time.perf_counter() - started
    assert job.status == "resolved", job.status
    events = Trajectory(settings.jobs_dir / job.id / "trajectory.jsonl").events()
    marks = [(e["event"], e["ts"]) for e in events if e["event"] in ("node_start", "node_end")]
    gaps = [b[1] - a[1] for a, b in itertools.pairwise(marks) if a[0] == "node_end" and b[0] == "node_start"]
    return wall, gaps


def _help_seconds(runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(Path(sys.executable).with_name("swe-team")), "--help"], capture_output=True, check=True)
        timings.append(time.perf_counter() - started)
    return timings


def _job_by_cli(where: Path) -> float:
    repo = example_repo(where)
    with ScriptedModelServer(script("shop-resolved")) as server:
        started = time.perf_counter()
        result = swe_team(*run_args(repo, "--yes-destructive", "--json"), env=cli_env(where / "home", server.base_url))
        seconds = time.perf_counter() - started
    assert json.loads(result.stdout)["status"] == "resolved", result.stderr
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one job of each kind, two --help runs")
    args = parser.parse_args()
    warmup, runs, help_runs = (0, 1, 2) if args.quick else (1, 5, 10)
    walls, gaps = [], []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            wall, run_gaps = _job_in_process(Path(tmp))
            if run >= warmup:  # a warm-up run pays for the imports
                walls.append(wall)
                gaps.extend(run_gaps)
    with tempfile.TemporaryDirectory() as tmp:
        cli_seconds = _job_by_cli(Path(tmp))
    helps = _help_seconds(help_runs)
    table = Table(title="orchestration (scripted model answering instantly)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("goal", justify="right")
    gaps_ms = sorted(g * 1000 for g in gaps)
    table.add_row("overhead per graph step, median", f"{statistics.median(gaps_ms):.1f} ms", "≤ 25 ms")
    table.add_row("overhead per graph step, p95", f"{gaps_ms[int(len(gaps_ms) * 0.95)]:.1f} ms", "")
    table.add_row("steps measured", str(len(gaps_ms)), "")
    table.add_row(f"`swe-team --help`, median of {help_runs}", f"{statistics.median(helps):.3f} s", "≤ 0.3 s")
    table.add_row("example job in process, median", f"{statistics.median(walls):.2f} s", "")
    table.add_row("example job by the CLI (one process)", f"{cli_seconds:.2f} s", "")
    Console().print(table)


if __name__ == "__main__":
    main()
