"""Every bad command-line input of harness/bad_inputs.py, run as a user would: one clear error and exit 1."""

from __future__ import annotations

from pathlib import Path

from harness.bad_inputs import bad_inputs
from harness.example import example_repo
from stress.table import Outcome, Trial, trial

FAMILY = "bad input"
QUICK = ("binary task file", "whitespace task", "api_base port 99999", "negative iterations")


def input_trials(workdir: Path, quick: bool) -> list[Trial]:
    repo = example_repo(workdir)
    scratch = workdir / "scratch"
    scratch.mkdir()
    trials = []
    for bad in bad_inputs(scratch, repo):
        if quick and bad.name not in QUICK:
            continue

        def one(bad=bad) -> tuple[Outcome, str]:  # type: ignore[no-untyped-def]
            problem = bad.problem(bad.run(workdir / "home"))
            return ("crashed" if problem.startswith("a traceback") else "lost" if problem else "recovered"), problem

        trials.append(trial(FAMILY, bad.name, one))
    return trials
