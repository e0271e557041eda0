"""Orchestration overhead per graph step, `swe-team --help` wall time, and the example job end to end.

The scripted model server answers instantly, so what is left between nodes is LangGraph's scheduling plus the
SQLite checkpoint write. Run: `.venv/bin/python benchmarks/bench_orchestration.py` (part of `make bench`).
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from core.model.scripted_server import ScriptedModelServer  # noqa: E402
from core.settings import ModelAlias, ModelSettings, Settings  # noqa: E402
from core.trajectory import Trajectory  # noqa: E402
from swe_team.approval import AutoApprover  # noqa: E402
from swe_team.runner import JobRequest, JobRunner  # noqa: E402
from tests.job_fixtures import cli_env, example_repo, script, swe_team  # noqa: E402

RUNS = 5


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


def _help_seconds() -> list[float]:
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv/bin/swe-team"), "--help"], capture_output=True, check=True)
        timings.append(time.perf_counter() - started)
    return timings


def _job_by_cli(where: Path) -> float:
    repo = example_repo(where)
    with ScriptedModelServer(script("shop-resolved")) as server:
        started = time.perf_counter()
        result = swe_team(
            "run", "--repo", str(repo), "--task-file", str(repo / "ISSUE.md"), "--yes-destructive", "--json",
            env=cli_env(where / "home", server.base_url),
        )
        seconds = time.perf_counter() - started
    assert json.loads(result.stdout)["status"] == "resolved", result.stderr
    return seconds


def main() -> None:
    walls, gaps = [], []
    for run in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            wall, run_gaps = _job_in_process(Path(tmp))
            if run:  # the first run pays for imports
                walls.append(wall)
                gaps.extend(run_gaps)
    with tempfile.TemporaryDirectory() as tmp:
        cli_seconds = _job_by_cli(Path(tmp))
    helps = _help_seconds()
    table = Table(title="orchestration (scripted model answering instantly)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("goal", justify="right")
    gaps_ms = sorted(g * 1000 for g in gaps)
    table.add_row("overhead per graph step, median", f"{statistics.median(gaps_ms):.1f} ms", "≤ 25 ms")
    table.add_row("overhead per graph step, p95", f"{gaps_ms[int(len(gaps_ms) * 0.95)]:.1f} ms", "")
    table.add_row("steps measured", str(len(gaps_ms)), "")
    table.add_row("`swe-team --help`, median of 10", f"{statistics.median(helps):.3f} s", "≤ 0.3 s")
    table.add_row("example job in process, median", f"{statistics.median(walls):.2f} s", "")
    table.add_row("example job by the CLI (one process)", f"{cli_seconds:.2f} s", "")
    Console().print(table)


if __name__ == "__main__":
    main()
