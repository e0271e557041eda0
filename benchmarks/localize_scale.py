"""Scale cases of the localization benchmark: `swe-team index` and `locate` as a user runs them, on large checkouts.

Each case is materialized from its mirror, then run as subprocesses with a fresh `SWE_TEAM_HOME`: a cold index
(nothing cached), a warm index (the snapshot), warm `locate --json --no-server` three times, then `locate --json`
answered by the resident server (started by a first `locate`) three times. Wall times come from here;
the commands' own `timings` say where the time went and their `peak_memory_mb` the peak resident memory of the
main process and of the largest parsing worker. CPU seconds (of the command and its parsing workers) stand beside
wall seconds, and the machine's load average is printed with the table: on a shared machine wall times stretch, CPU
times much less.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SYMPY_COMMIT = "e950d313a932bc6cccbc95376b3821cd2f8b5af4"
"""sympy's master of 2026-08-22: 1,602 Python files."""
SYMPY_ISSUE = """Matrix.col_insert() puts the inserted block in the wrong rows

Inserting two columns of twos into a 6x6 identity matrix with `M.col_insert(3, V)` (M = eye(6), V = 2 * ones(6, 2))
gives a matrix whose right-hand identity block is moved up: the 3x3 identity that should sit in the bottom three
rows of the last three columns is in the top three rows instead.
"""
LOCATE_RUNS = 3


@dataclass
class ScaleCase:
    name: str
    repo: str
    commit: str
    issue: str
    targets: dict[str, float] = field(default_factory=dict)
    """Wall-time targets in seconds: `cold index`, `warm locate` (the CLI run alone), `resident locate` (the CLI
answered by the resident server), `locate query` (in process)."""


@dataclass
class ScaleResult:
    case: ScaleCase
    files: int = 0
    workers: int = 0
    cold_index_s: float = 0.0
    cold_index_cpu_s: float = 0.0
    warm_index_s: float = 0.0
    warm_index_cpu_s: float = 0.0
    warm_locate_s: list[float] = field(default_factory=list)
    warm_locate_cpu_s: list[float] = field(default_factory=list)
    locate_query_s: list[float] = field(default_factory=list)
    resident_locate_s: list[float] = field(default_factory=list)
    peak_memory_mb: dict[str, float] = field(default_factory=dict)
    cold_timings: dict[str, Any] = field(default_factory=dict)


def default_cases(rows: list[dict[str, Any]]) -> list[ScaleCase]:
    """sympy, and pytest at the base commit of the data set's first pytest instance (with its issue)."""
    targets = {"cold index": 40.0, "warm locate": 2.0, "resident locate": 2.0}
    cases = [ScaleCase("sympy", "sympy/sympy", SYMPY_COMMIT, SYMPY_ISSUE, targets)]
    pytest_rows = [row for row in rows if row["repo"] == "pytest-dev/pytest"]
    if pytest_rows:
        first = pytest_rows[0]
        cases.append(
            ScaleCase(
                "pytest",
                first["repo"],
                first["base_commit"],
                first["problem_statement"],
                {"locate query": 0.2, "resident locate": 0.2},
            )
        )
    return cases


def _swe_team(home: Path, *args: str) -> tuple[float, dict[str, Any], float]:
    """Run `swe-team ARGS --json`; (wall seconds, its JSON, CPU seconds of it and its workers)."""
    skipped = ("SWE_TEAM_", "PYTHONDONTWRITEBYTECODE")
    env = {key: value for key, value in os.environ.items() if not key.startswith(skipped)}
    # Bytecode is written, as an installed package has it: a warm command must not compile our modules again.
    env.update(
        SWE_TEAM_HOME=str(home), SWE_TEAM_USER_CONFIG=str(home / "no-user-config.toml"), XDG_RUNTIME_DIR=str(home)
    )
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "swe_team", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - started
    after = os.times()
    if done.returncode != 0:
        raise RuntimeError(f"swe-team {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, json.loads(done.stdout), cpu


def run_case(case: ScaleCase, checkout: Path, home: Path) -> ScaleResult:
    result = ScaleResult(case)
    result.cold_index_s, cold, result.cold_index_cpu_s = _swe_team(home, "index", str(checkout))
    result.files, result.workers = cold["files"], cold["workers"]
    result.peak_memory_mb, result.cold_timings = cold["peak_memory_mb"], cold["timings"]
    result.warm_index_s, _, result.warm_index_cpu_s = _swe_team(home, "index", str(checkout))
    issue = home / "issue.md"
    issue.write_text(case.issue, encoding="utf-8")
    locate = ("locate", "--repo", str(checkout), "--task-file", str(issue))
    for _ in range(LOCATE_RUNS):
        wall, located, cpu = _swe_team(home, *locate, "--no-server")
        result.warm_locate_s.append(wall)
        result.warm_locate_cpu_s.append(cpu)
        query = sum(step["seconds"] for name, step in located["timings"].items() if name.startswith("locate:"))
        result.locate_query_s.append(query)
    _swe_team(home, *locate)
    server = _resident_server(home)
    try:
        for _ in range(LOCATE_RUNS):
            wall, located, _ = _swe_team(home, *locate)
            if not any("resident" in name for name in located["timings"]):
                raise RuntimeError("the resident server did not answer")
            result.resident_locate_s.append(wall)
    finally:
        os.kill(server, signal.SIGTERM)
    return result


def _resident_server(home: Path) -> int:
    """The pid of the resident server a `locate` started, once it has loaded the graph."""
    from swe_team.resident.start import ready_server_pid

    runtime = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(home)  # where the case's commands were told to start it
    try:
        deadline = time.monotonic() + 600
        while (pid := ready_server_pid()) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the resident server never got ready")
            time.sleep(0.2)
        return pid
    finally:
        if runtime is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = runtime


def run_scale(cases: list[ScaleCase], materialize: Any, mirrors: Path) -> list[ScaleResult]:
    """Every case in a temporary folder, materialized with `materialize(repo, commit, into, mirrors)`."""
    results = []
    for case in cases:
        with tempfile.TemporaryDirectory(prefix=f"locbench-scale-{case.name}-") as folder:
            checkout, home = Path(folder) / "checkout", Path(folder) / "home"
            checkout.mkdir()
            home.mkdir()
            print(f"scale case {case.name}: materializing {case.repo}@{case.commit[:12]}", file=sys.stderr)
            materialize(case.repo, case.commit, checkout, mirrors)
            results.append(run_case(case, checkout, home))
    return results


def _verdict(case: ScaleCase, name: str, seconds: float) -> str:
    target = case.targets.get(name)
    if target is None:
        return f"{seconds:.2f}"
    return f"{seconds:.2f} ({'≤' if seconds <= target else '>'} {target:g})"


def print_scale(results: list[ScaleResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    table = Table(
        title=f"Scale: swe-team index / locate as subprocesses (load average {load} on {os.cpu_count()} cores)"
    )
    for column in (
        "case",
        "files",
        "cold index s (CPU s)",
        "warm index s (CPU s)",
        "warm locate s (CPU s), median CLI alone",
        "resident locate s, median CLI",
        "locate query s (median)",
        "peak RSS MB main / worker",
    ):
        table.add_column(column, justify="right")
    for result in results:
        case = result.case
        query = statistics.median(result.locate_query_s)
        table.add_row(
            case.name,
            f"{result.files} ({result.workers} workers)",
            f"{_verdict(case, 'cold index', result.cold_index_s)} ({result.cold_index_cpu_s:.1f})",
            f"{result.warm_index_s:.2f} ({result.warm_index_cpu_s:.2f})",
            f"{_verdict(case, 'warm locate', statistics.median(result.warm_locate_s))}"
            f" ({statistics.median(result.warm_locate_cpu_s):.2f})",
            _verdict(case, "resident locate", statistics.median(result.resident_locate_s)),
            _verdict(case, "locate query", query),
            f"{result.peak_memory_mb.get('self', 0):.0f} / {result.peak_memory_mb.get('largest_worker', 0):.0f}",
        )
    console = Console(width=max(140, Console().width))
    console.print(table)
    for result in results:
        steps = sorted(result.cold_timings.items(), key=lambda item: -item[1]["seconds"])[:5]
        spent = ", ".join(f"{name} {step['seconds']:.1f}s ({step['cpu']:.1f}s CPU)" for name, step in steps)
        console.print(f"{result.case.name} cold index, where the time went (CPU of the main process): {spent}")
