"""`swe-team review` wall time on a real ~500-line diff with the scripted model. Goal: ≤ 2 s.

The diff is what requests' last commits changed (`base...HEAD` of the mirror, the base chosen as the nearest commit
whose diff reaches 500 lines), checked out in a temporary clone. Three figures: the first review in a process (the
code graph's disk cache cold, Bandit's plugins loading), the reviews after it (median of the runs: what a review
service or a second review in one job costs), and the `swe-team review` command end to end (Python and litellm
imports included). Wall and CPU seconds both: on a shared machine the CPU figure is what the review itself costs.

    .venv/bin/python -m benchmarks.bench_review [--quick]    # mirrors from $SWE_TEAM_MIRRORS (/work/.mirror)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from core.model.scripted_server import ScriptedModelServer
from core.settings import ModelAlias, ModelSettings, Settings
from harness.cli import cli_env, swe_team
from swe_team.review.change import Change, change_between
from swe_team.review.run import ReviewOptions, review_change

GOAL_S = 2.0
TARGET_LINES = 500
MIRROR = Path(os.environ.get("SWE_TEAM_MIRRORS", "/work/.mirror")) / "psf+requests" / "repo"
HERE = Path(__file__).resolve().parents[1]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def _checkout(where: Path) -> Path:
    """A clone of the requests mirror; without the mirror (a machine without it), this repository's own history."""
    source = MIRROR if MIRROR.is_dir() else HERE
    clone = where / "repo"
    subprocess.run(["git", "clone", "-q", "--shared", str(source), str(clone)], check=True)
    return clone


def _base_for(repo: Path) -> str:
    """The nearest ancestor of HEAD whose diff to HEAD is at least TARGET_LINES lines long."""
    for back in range(1, 200):
        if len(_git(repo, "diff", f"HEAD~{back}", "HEAD").splitlines()) >= TARGET_LINES:
            return f"HEAD~{back}"
    raise SystemExit(f"no commit of {repo} has a diff of {TARGET_LINES} lines to HEAD")


def _answer(change: Change) -> dict[str, Any]:
    """A model review with two findings on the first Python lines the change adds."""
    added = [(diff.path, line) for diff in change.files if diff.path.endswith(".py") for line in diff.added_lines]
    findings = [
        {
            "file": path,
            "line": line,
            "severity": "major",
            "category": "correctness",
            "title": f"check line {line}",
            "body": "The value may be None here.",
            "suggestion": "Guard it.",
            "confidence": 0.7,
        }
        for path, line in added[:2]
    ]
    return {
        "response": {"content": json.dumps({"summary": "A refactoring of typing and imports.", "findings": findings})}
    }


def _settings(home: Path, base_url: str) -> Settings:
    alias = ModelAlias(api_base=base_url, context_window=32768)
    return Settings(home=home, models=ModelSettings(instruct=alias, reasoning=alias, retries=0))


def _command(repo: Path, base: str, home: Path, api_base: str, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `swe-team review` as a CI job runs it."""
    env = cli_env(home, api_base, SWE_TEAM_MODELS__RETRIES="0")
    started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = swe_team("review", "--repo", str(repo), "--base", base, "--head", "HEAD", "--out", str(out), env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode in (0, 4), done.stderr
    return wall, after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime


def measure(where: Path, runs: int, command: bool) -> dict[str, Any]:
    from core.model.llm import LiteLLMClient

    repo = _checkout(where)
    base = _base_for(repo)
    change = change_between(repo, base, "HEAD")
    script = {"model": "scripted-reviewer", "context_window": 32768, "steps": [_answer(change)] * (runs + 1 + command)}
    with ScriptedModelServer(script) as server:
        settings = _settings(where / "home", server.base_url)
        client = LiteLLMClient(settings)
        options = ReviewOptions(graph_cache=settings.home / "cache" / "codegraph")
        timings, cpu = [], []
        for _ in range(runs + 1):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = review_change(change_between(repo, base, "HEAD"), client, options)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        command_s = command_cpu = float("nan")
        if command:
            command_s, command_cpu = _command(repo, base, settings.home, server.base_url, where / "review.json")
        assert server.remaining == 0 and not server.failures, server.failures
    return {
        "source": f"{'requests' if MIRROR.is_dir() else 'swe-team'} {base}...HEAD",
        "lines": change.line_count,
        "files": len(change.files),
        "findings": len(result.findings),
        "first": (timings[0], cpu[0]),
        "warm": (statistics.median(timings[1:]), statistics.median(cpu[1:])),
        "command": (command_s, command_cpu),
    }


def _seconds(pair: tuple[float, float]) -> tuple[str, str]:
    return f"{pair[0]:.2f}", f"{pair[1]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one warm run, no command: does it still run?")
    quick = parser.parse_args().quick
    runs = 1 if quick else 5
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(Path(folder), runs, command=not quick)
    table = Table("measure", "wall s", "CPU s", "goal", title=f"review of {figures['source']}")
    first, warm, command = figures["first"], figures["warm"], figures["command"]
    table.add_row("first review in a process (litellm, Bandit plugins, graph cache cold)", *_seconds(first), "")
    verdict = "ok" if warm[0] <= GOAL_S else "MISSED"
    table.add_row(f"review (median of {runs})", *_seconds(warm), f"≤ {GOAL_S:.0f} s wall: {verdict}")
    if not quick:
        table.add_row("`swe-team review` command, end to end", *_seconds(command), "")
    Console().print(table)
    print(f"diff: {figures['lines']} lines in {figures['files']} files; {figures['findings']} findings")


if __name__ == "__main__":
    main()
