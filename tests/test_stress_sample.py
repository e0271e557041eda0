"""The fault suite's short sample (`python -m stress --quick`): bad input, malformed answers and sandbox probes,
every one recovered. The whole suite is `make stress`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_fault_suite_sample_recovers_from_every_fault() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stress", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    rows = {cells[0]: cells[1:] for cells in _table_rows(done.stdout)}
    assert {"bad input", "malformed answers", "all"} <= set(rows), done.stdout
    trials, recovered, lost, crashed, _seconds = rows["all"]
    assert int(trials) >= 16 and recovered == trials and lost == crashed == "0", done.stdout


def _table_rows(output: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in output.splitlines() if line.count("│") == 7]
