"""An eval's results folder: one log folder and `result.json` per instance, `results.json` and `summary.md`.

The per-instance `result.json` is written last, so an instance that has one is finished and a resumed eval skips
it; `results.json` and `summary.md` are rewritten after every instance, so they are always current.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from swe_team.eval.dataset import EvalInputError

Mode = Literal["gold", "predictions", "run"]
Status = Literal["resolved", "unresolved", "error", "empty_patch"]
MANIFEST = "eval.json"
RESULT_FILE = "result.json"


class TestCounts(BaseModel):
    """How one list of an instance's tests (FAIL_TO_PASS or PASS_TO_PASS) went with the patch."""

    __test__ = False

    total: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    not_tests: int = 0
    """Listed ids that cannot name a test (such as `[100%]`): left out, as no runner reports them."""
    failing: list[str] = Field(default_factory=list)
    """The listed tests that failed or were missing from the log (at most 20 named)."""


class InstanceResult(BaseModel):
    instance_id: str
    repo: str
    version: str = ""
    mode: Mode
    status: Status
    resolution: str = ""
    """FULL, PARTIAL or NO when the tests ran with the patch; empty when the eval stopped before."""
    stage: str = ""
    """Where it stopped short: repository, environment, test_patch, patch, tests_before, tests_after, team."""
    cause: str = ""
    """Why it is not resolved, in words shared by instances that failed the same way (the summary groups by it)."""
    detail: str = ""
    """The instance's own evidence: the tool's error, the failing tests, the collection error."""
    fail_to_pass: TestCounts = Field(default_factory=TestCounts)
    pass_to_pass: TestCounts = Field(default_factory=TestCounts)
    fail_to_pass_before: TestCounts | None = None
    """--gold: FAIL_TO_PASS with the test patch only (validation wants every one failing)."""
    environment: dict[str, Any] = Field(default_factory=dict)
    """The workspace's environment choices (image, interpreter, resolution, test command)."""
    test_command: str = ""
    minutes: float = 0.0
    environment_seconds: float = 0.0
    """Time to open the workspace, its environment included (built, or taken from the cache)."""
    tokens: dict[str, int] = Field(default_factory=dict)
    """--run: prompt and completion tokens of the team's job."""
    job_id: str = ""
    finished_at: float = Field(default_factory=time.time)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class ResultsFolder:
    """The folder an eval writes; it refuses to mix two kinds of eval, so a resume continues the same one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._write_lock = threading.Lock()

    def log_dir(self, instance_id: str) -> Path:
        return self.root / "logs" / instance_id

    def claim(self, mode: Mode, dataset: Path, predictions: Path | None) -> None:
        """Record what this folder evaluates, or check that a resumed eval is the same kind."""
        wanted = {"mode": mode, "dataset": str(dataset.resolve())}
        if predictions is not None:
            wanted["predictions"] = str(predictions.resolve())
        manifest = self.root / MANIFEST
        if manifest.is_file():
            try:
                found = json.loads(manifest.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                found = {}
            differing = [key for key in ("mode", "predictions") if found.get(key) != wanted.get(key)]
            if differing:
                raise EvalInputError(
                    f"{self.root} holds the results of another eval "
                    f"({', '.join(f'{k}={found.get(k)}' for k in differing)})",
                    hint="give another --out folder, or remove that one to start over",
                )
            return
        write_atomic(manifest, json.dumps({**wanted, "created_at": time.time()}, indent=2))

    def finished(self) -> dict[str, InstanceResult]:
        """Every instance with a readable result (a corrupt one counts as not finished)."""
        done: dict[str, InstanceResult] = {}
        for path in sorted((self.root / "logs").glob(f"*/{RESULT_FILE}")):
            try:
                result = InstanceResult.model_validate_json(path.read_text(encoding="utf-8"))
            except (ValidationError, OSError):
                continue
            done[result.instance_id] = result
        return done

    def record(self, result: InstanceResult) -> None:
        write_atomic(self.log_dir(result.instance_id) / RESULT_FILE, result.model_dump_json(indent=2))

    def write_totals(self, results: list[InstanceResult], selected: int, summary: str) -> None:
        """`results.json` (ids by status and every instance's record) and `summary.md`."""
        by_status: dict[str, list[str]] = {status: [] for status in ("resolved", "unresolved", "error", "empty_patch")}
        ordered = sorted(results, key=lambda r: r.instance_id)
        for result in ordered:
            by_status[result.status].append(result.instance_id)
        totals = {
            "selected_instances": selected,
            "completed_instances": len(results),
            "resolved_instances": len(by_status["resolved"]),
            **{f"{status}_ids": ids for status, ids in by_status.items()},
            "instances": {r.instance_id: r.model_dump(mode="json") for r in ordered},
        }
        with self._write_lock:
            write_atomic(self.root / "results.json", json.dumps(totals, indent=2))
            write_atomic(self.root / "summary.md", summary)
