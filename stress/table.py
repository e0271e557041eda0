"""What one fault trial ended as, and the table the suite prints: trials, recovered, lost, crashed."""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.table import Table

Outcome = Literal["recovered", "lost", "crashed"]
MEANING: dict[str, str] = {
    "kill -9": "recovered: resume finished with the unkilled run's status and patch; lost: another result, "
    "something left behind, or the job ended before the kill; crashed: resume could not finish it",
    "malformed answers": "recovered: the answer cost a step and the node went on, the same when replayed; lost: one "
    "answer ended the role or the replay differed; crashed: an exception left the node",
    "sandbox": "recovered: the probe was blocked or bounded; lost: it went through; crashed: the workspace broke",
    "bad input": "recovered: one clear error and exit 1; lost: accepted or another message; crashed: a traceback",
    "redis outage": "recovered: the job resolved and its lesson reached Redis; lost: the lesson is gone (or the job "
    "ended before Redis stopped: nothing was tried); crashed: the job did not finish",
}


@dataclass(frozen=True)
class Trial:
    family: str
    name: str
    outcome: Outcome
    detail: str = ""
    seconds: float = 0.0


def trial(family: str, name: str, body: Callable[[], tuple[Outcome, str]]) -> Trial:
    """Run one trial; an exception out of it is a crash, with its last frames as the detail. A line on stderr
    says how it ended, so a long run shows its progress."""
    started = time.monotonic()
    try:
        outcome, detail = body()
    except Exception as exc:  # the trial's own verdict
        frames = "".join(traceback.format_exception(exc, limit=-3)).strip().splitlines()[-6:]
        outcome, detail = "crashed", " | ".join(frames)[-600:]
    done = Trial(family, name, outcome, detail, time.monotonic() - started)
    print(f"{outcome:9} {family} / {name} ({done.seconds:.0f} s)", file=sys.stderr, flush=True)
    return done


def print_table(trials: list[Trial], console: Console) -> None:
    table = Table(title="fault suite", title_justify="left")
    for column in ("family", "trials", "recovered", "lost", "crashed", "seconds"):
        table.add_column(column, justify="left" if column == "family" else "right")
    families = list(dict.fromkeys(t.family for t in trials))
    for family in [*families, "all"]:
        rows = [t for t in trials if family in ("all", t.family)]
        counts = [sum(t.outcome == outcome for t in rows) for outcome in ("recovered", "lost", "crashed")]
        table.add_row(family, str(len(rows)), *map(str, counts), f"{sum(t.seconds for t in rows):.0f}",
                      end_section=family == families[-1])
    console.print(table)
    for family in families:
        console.print(f"[dim]{family}: {MEANING.get(family, '')}[/]")
    for failed in (t for t in trials if t.outcome != "recovered"):
        console.print(f"[red]{failed.outcome}[/] {failed.family} / {failed.name}: {failed.detail}")
