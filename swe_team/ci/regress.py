"""`ci regress`: diagnosis over a saved case set, scored, to run before a model (or a swe-team) upgrade.

A case is a folder holding one log (`log.txt`, or the one `*.log` / `*.txt` file) and `expected.json`:
`{"kind": "pytest", "failing_step": "pytest -q", "files": ["pkg/mod.py"], "root_cause_words": ["None"],
"repo": "path/of/the/repository"}`, every key optional (`repo` relative to the case folder). A case is right on
a key when the found kind is the expected one, the expected step text is in the failing step, an expected file
is in the top 1 / top 3, every root-cause word is in the model's root cause.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import SweTeamError
from swe_team.ci.diagnosis import Diagnosis

if TYPE_CHECKING:
    from collections.abc import Callable

EXPECTED_FILE = "expected.json"
METRICS = ("kind", "failing_step", "top1", "top3", "root_cause")


@dataclass
class Case:
    name: str
    log: Path
    expected: dict[str, Any]
    repo: Path | None


@dataclass
class CaseResult:
    name: str
    checks: dict[str, bool] = field(default_factory=dict)
    """Only the metrics the case has an expectation for."""
    confidence: float = 0.0
    needs_person: bool = False
    top_files: list[str] = field(default_factory=list)


def _log_of(folder: Path) -> Path:
    named = folder / "log.txt"
    if named.is_file():
        return named
    logs = sorted(p for p in folder.iterdir() if p.suffix in (".log", ".txt") and p.is_file())
    if len(logs) != 1:
        raise SweTeamError(
            f"case {folder.name}: {'no' if not logs else 'more than one'} log file",
            hint="put exactly one log.txt (or one *.log) in each case folder",
        )
    return logs[0]


def load_cases(cases_dir: Path) -> list[Case]:
    if not cases_dir.is_dir():
        raise SweTeamError(f"{cases_dir} is not a folder of cases", hint="give --cases a folder of case folders")
    cases = []
    for folder in sorted(p for p in cases_dir.iterdir() if p.is_dir()):
        expected_path = folder / EXPECTED_FILE
        if not expected_path.is_file():
            continue
        try:
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweTeamError(f"case {folder.name}: {EXPECTED_FILE} is not JSON ({exc})") from exc
        if not isinstance(expected, dict):
            raise SweTeamError(f"case {folder.name}: {EXPECTED_FILE} must hold a JSON object")
        repo = (folder / str(expected["repo"])).resolve() if expected.get("repo") else None
        cases.append(Case(folder.name, _log_of(folder), expected, repo))
    if not cases:
        raise SweTeamError(f"no case in {cases_dir}", hint=f"each case is a folder with a log and {EXPECTED_FILE}")
    return cases


def score(case: Case, diagnosis: Diagnosis) -> CaseResult:
    expected = case.expected
    found = [f.path for f in diagnosis.files]
    checks: dict[str, bool] = {}
    if "kind" in expected:
        checks["kind"] = diagnosis.kind == expected["kind"]
    if "failing_step" in expected:
        checks["failing_step"] = str(expected["failing_step"]).lower() in diagnosis.failing_step.lower()
    if expected.get("files"):
        wanted = set(expected["files"])
        checks["top1"] = bool(wanted & set(found[:1]))
        checks["top3"] = bool(wanted & set(found[:3]))
    if expected.get("root_cause_words") and diagnosis.model is not None:
        cause = diagnosis.root_cause.lower()
        checks["root_cause"] = all(str(word).lower() in cause for word in expected["root_cause_words"])
    return CaseResult(case.name, checks, diagnosis.confidence, diagnosis.needs_person, found[:3])


def accuracy(results: list[CaseResult]) -> dict[str, tuple[int, int]]:
    """(right, cases with an expectation) per metric."""
    totals: dict[str, tuple[int, int]] = {}
    for metric in METRICS:
        scored = [r.checks[metric] for r in results if metric in r.checks]
        if scored:
            totals[metric] = (sum(scored), len(scored))
    return totals


def run_cases(cases: list[Case], diagnose_case: Callable[[Case], Diagnosis]) -> list[CaseResult]:
    return [score(case, diagnose_case(case)) for case in cases]
