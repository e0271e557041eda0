"""The selection benchmark's per-instance results, appended to a JSON-lines file as each instance ends, so that a
run that stops (a crash, a reboot) goes on where it stopped: a rerun skips every instance with a result made by the
same selection code (`fingerprint`); an instance that failed is tried again. Also the table they make.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SELECTION_CODE = (
    "graphs/candidate_trials.py",
    "graphs/selection.py",
    "graphs/patch_identity.py",
    "benchmarks/candidate_sets.py",
    "benchmarks/bench_candidates.py",
)


def fingerprint() -> str:
    """Changes when the code that builds, tries or selects the candidates changes."""
    digest = hashlib.sha256()
    for path in SELECTION_CODE:
        digest.update((ROOT / path).read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class Outcome:
    instance: str
    candidates: int = 0
    resolving: list[str] = field(default_factory=list)
    """The candidates whose trial run resolves the instance (FAIL_TO_PASS and PASS_TO_PASS all pass)."""
    picked: str = ""
    seconds: float = 0.0
    """The trials and the selection (building the candidate set and the workspace left out)."""
    why: str = ""
    runs: dict[str, float] = field(default_factory=dict)
    """Each test run of the trials (before, a candidate, a candidate beside another's tests) → seconds."""
    wall: float = 0.0
    """The whole instance: workspace, candidate set, trials."""
    error: str = ""
    code: str = ""
    ungraded: list[str] = field(default_factory=list)
    """Candidates not graded: the trials ran no regression run of them (ranked below two that broke none) and the
    winner resolves, so whether they resolve does not change the result."""

    @property
    def right(self) -> bool:
        return self.picked in self.resolving


class ResultFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Outcome]:
        """Instance → its latest result (a result of other selection code is left out)."""
        found: dict[str, Outcome] = {}
        if not self.path.is_file():
            return found
        current = fingerprint()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            outcome = Outcome(**json.loads(line))
            if outcome.code == current:
                found[outcome.instance] = outcome
        return found

    def append(self, outcome: Outcome) -> None:
        outcome.code = fingerprint()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(asdict(outcome)) + "\n")


def runs_text(outcome: Outcome) -> str:
    return ", ".join(f"{name} {seconds:.0f}s" for name, seconds in outcome.runs.items())


def selection_table(outcomes: list[Outcome]) -> None:
    done = [o for o in outcomes if not o.error]
    print(f"\n{'instance':<34}{'cands':>6}{'resolving':>10}{'picked':>8}  right  {'sel s':>7}{'wall s':>8}  why")
    for o in done:
        resolving = f"{len(o.resolving)}" + (f"+{len(o.ungraded)}?" if o.ungraded else "")
        print(
            f"{o.instance:<34}{o.candidates:>6}{resolving:>10}{o.picked or '-':>8}  "
            f"{'yes' if o.right else 'NO':<5}  {o.seconds:>7.1f}{o.wall:>8.1f}  {o.why[:80]}"
        )
    for o in outcomes:
        if o.error:
            print(f"{o.instance:<34}left out: {o.error[:150]}")
    with_one = [o for o in done if o.resolving]
    right = sum(o.right for o in with_one)
    rate = right / len(with_one) if with_one else 0.0
    total = sum(o.seconds for o in done)
    mean = total / len(done) if done else 0.0
    longest = max((o.seconds for o in done), default=0.0)
    print(
        f"\n{len(done)} instances ({len(outcomes) - len(done)} left out), {len(with_one)} with a resolving candidate; "
        f"picked a resolving candidate in {right} ({rate:.2f}; goal ≥ 0.95)\nselection time per instance: mean "
        f"{mean:.1f} s, max {longest:.1f} s; total {total:.0f} s (wall with workspaces and candidate sets "
        f"{sum(o.wall for o in done):.0f} s)"
    )
