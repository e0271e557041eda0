"""The fault suite: `python -m stress` (`make stress`) kills jobs at random moments and resumes them, sends
malformed answers to every role, probes the Docker sandbox, feeds the CLI bad input and takes Redis away in the
middle of a job, then prints how many trials recovered, lost something or crashed. `--quick` is the short
sample `make test` runs. Exits 1 when a trial lost something or crashed."""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
import time
import warnings
from dataclasses import asdict
from pathlib import Path

from rich.console import Console

from harness.services import ServiceUnavailable, in_ci
from stress.answers import answer_trials
from stress.inputs import input_trials
from stress.kills import kill_trials
from stress.outage import outage_trials
from stress.sandbox import sandbox_trials
from stress.table import Trial, print_table

FAMILIES = ("kills", "answers", "sandbox", "inputs", "outage")


def _docker_or_skip(console: Console, family: str) -> bool:
    from workspaces.docker import engine_available

    if engine_available():
        return True
    if in_ci():
        sys.exit(f"CI=true and no Docker engine answered for the {family} trials")
    console.print(f"[yellow]skipped:[/] the {family} trials need a Docker engine")
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the short sample make test runs")
    parser.add_argument("--only", default=",".join(FAMILIES), help=f"comma list of {', '.join(FAMILIES)}")
    parser.add_argument("--seed", type=int, default=14, help="seed of the kill moments and the malformed answers")
    parser.add_argument("--kills", type=int, default=30, help="kill -9 trials (split between local and docker)")
    parser.add_argument("--answers", type=int, default=200, help="malformed answers")
    parser.add_argument("--outages", type=int, default=3, help="Redis outages")
    parser.add_argument("--out", type=Path, default=None, help="also write every trial to this JSON file")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", module="pydantic")  # litellm's reading of the malformed bodies
    logging.getLogger("LiteLLM").setLevel(logging.ERROR)
    wanted = set(args.only.split(","))
    console = Console()
    rng = random.Random(args.seed)
    trials: list[Trial] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="swe-team-stress-") as tmp:
        workdir = Path(tmp)
        if "inputs" in wanted:
            trials += input_trials(workdir / "inputs", args.quick)
        if "answers" in wanted:
            trials += answer_trials(workdir / "answers", 12 if args.quick else args.answers, rng)
        if "sandbox" in wanted and _docker_or_skip(console, "sandbox"):
            trials += sandbox_trials(workdir / "sandbox", args.quick)
        if "kills" in wanted and not args.quick:
            backends = ["local", "docker"] if _docker_or_skip(console, "docker kill") else ["local"]
            trials += kill_trials(workdir / "kills", args.kills, backends, rng)
        if "outage" in wanted and not args.quick:
            try:
                trials += outage_trials(workdir / "outage", args.outages, rng)
            except ServiceUnavailable as exc:
                if in_ci():
                    sys.exit(f"CI=true and {exc}")
                console.print(f"[yellow]skipped:[/] {exc}")
    print_table(trials, console)
    if args.out is not None:
        args.out.write_text(json.dumps([asdict(t) for t in trials], indent=1) + "\n", encoding="utf-8")
    console.print(f"{len(trials)} trials in {time.monotonic() - started:.0f} s (seed {args.seed})")
    return 1 if any(t.outcome != "recovered" for t in trials) else 0


if __name__ == "__main__":
    sys.exit(main())
