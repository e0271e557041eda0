"""`make demo` as a new user meets it: wall time to the end of the job, and whether the screen stayed alive.

Goal: the demo ends, resolved or honestly unresolved, within 8 minutes on an idle 2-core machine, and the terminal
never goes quiet for long (the progress line redraws while a model call is under way). The full run uses the
embedded llama.cpp model, started cold (the server is stopped first), on a pseudo-terminal; `--quick` runs the same
script against the scripted model server, which checks only that the demo still runs end to end.

    .venv/bin/python -m benchmarks.bench_demo [--quick]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pexpect
from rich.console import Console
from rich.table import Table

from core.model.scripted_server import ScriptedModelServer
from harness.example import script

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 8 * 60
TIMEOUT_S = 30 * 60
STATUS = re.compile(r"job \S+: (resolved|unresolved|rejected|failed)")


@dataclass
class DemoRun:
    seconds: float
    status: str
    longest_quiet_s: float
    screen_updates: int
    tail: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(home: Path, api_base: str | None) -> dict[str, str]:
    """A fresh home, no user config, and the embedded model on a port of its own (another home's server may hold
    the default one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWE_TEAM_")}
    env.update(SWE_TEAM_HOME=str(home), SWE_TEAM_USER_CONFIG=str(home / "no-user-config.toml"))
    env["SWE_TEAM_LOCAL_MODEL__PORT"] = str(_free_port())
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    if api_base:
        env["SWE_TEAM_API_BASE"] = api_base
    return env


def _run_demo(env: dict[str, str]) -> DemoRun:
    """`bash examples/run-demo.sh` on a pseudo-terminal, noting when the screen changed."""
    child = pexpect.spawn(
        "bash",
        ["examples/run-demo.sh"],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT_S,
        dimensions=(40, 120),
    )
    started = last = time.monotonic()
    longest, updates, text = 0.0, 0, ""
    while True:
        try:
            chunk = child.read_nonblocking(4096, timeout=TIMEOUT_S)
        except pexpect.EOF:
            break
        now = time.monotonic()
        longest, last, updates, text = max(longest, now - last), now, updates + 1, text + chunk
    child.close()
    seconds = time.monotonic() - started
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    found = STATUS.findall(plain)
    status = found[-1] if found else f"no status (exit {child.exitstatus})"
    return DemoRun(seconds, status, longest, updates, plain[-2000:])


def _stop_local_model(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "swe_team", "model", "stop"], env=env, capture_output=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the scripted model instead of the embedded one")
    quick = parser.parse_args().quick
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        home = Path(tmp) / "home"
        if quick:
            with ScriptedModelServer(script("shop-resolved")) as server:
                run = _run_demo(_environment(home, server.base_url))
            model = "scripted (shop-resolved)"
        else:
            env = _environment(home, None)
            _stop_local_model(env)
            try:
                run = _run_demo(env)
            finally:
                _stop_local_model(env)
            model = "embedded SmolLM2-135M, cold start"
    table = Table(title=f"make demo on a pseudo-terminal ({os.cpu_count()} cores) — goal ≤ {GOAL_S // 60} min")
    for column in ("model", "wall time", "ended", "screen updates", "longest quiet", "within goal"):
        table.add_column(column, justify="right" if column != "model" else "left")
    table.add_row(
        model,
        f"{run.seconds:.0f} s ({run.seconds / 60:.1f} min)",
        run.status,
        str(run.screen_updates),
        f"{run.longest_quiet_s:.1f} s",
        "yes" if run.seconds <= GOAL_S else "NO",
    )
    Console().print(table)
    if run.status.startswith("no status"):
        raise SystemExit(f"the demo ended without a job status: {run.status}; its last output:\n{run.tail}")


if __name__ == "__main__":
    main()
