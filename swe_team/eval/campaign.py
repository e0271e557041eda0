"""An eval over many instances: which to run (resume skips finished ones), N at a time, progress, totals."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.errors import SweTeamError
from swe_team.eval.dataset import EvalInputError, Instance, load_instances, load_predictions, select
from swe_team.eval.evidence import cause_words
from swe_team.eval.instance_run import EvalSetup, InstanceRun
from swe_team.eval.repos import KeyedLocks, RepositorySource
from swe_team.eval.results import InstanceResult, Mode, ResultsFolder
from swe_team.eval.summary import render
from swe_team.eval.team_patch import NoTeamPatch, TeamPatches

if TYPE_CHECKING:
    from core.settings import Settings

COLOURS = {"resolved": "green", "unresolved": "yellow", "error": "red", "empty_patch": "yellow"}


@dataclass
class EvalRequest:
    dataset: Path
    mode: Mode
    out: Path
    instance_ids: list[str] = field(default_factory=list)
    predictions: Path | None = None
    repos: Path | None = None
    jobs: int = 1
    fleet: bool = False
    test_timeout: float = 1800.0
    retry: bool = False
    """Evaluate again the finished instances that did not end resolved (after an environment fix, say)."""


@dataclass
class Plan:
    selected: list[Instance]
    pending: list[Instance]
    finished: dict[str, InstanceResult]
    earlier: dict[str, InstanceResult]
    """Results already in the folder for dataset instances outside this selection: kept in the totals."""
    patches: dict[str, str]
    notes: list[str]


def plan(request: EvalRequest, folder: ResultsFolder, source: RepositorySource) -> Plan:
    """The instances to evaluate and their patches; finished ones are skipped (with `retry`, only those that
    ended resolved or with an empty prediction)."""
    if request.jobs < 1:
        raise EvalInputError(f"--jobs must be at least 1, not {request.jobs}")
    if request.fleet and request.mode != "run":
        raise EvalInputError(
            "--fleet spreads the team's jobs over the workers: it needs --run",
            hint="grading runs in this machine's Docker engine; use --jobs N to grade N instances at once",
        )
    everything = load_instances(request.dataset)
    selected = select(everything, request.instance_ids)
    notes: list[str] = []
    patches: dict[str, str] = {}
    if request.mode == "gold":
        missing = [i.instance_id for i in selected if not i.patch.strip()]
        if missing:
            raise EvalInputError(
                f"--gold needs the reference patch, and {len(missing)} instance(s) have none: {', '.join(missing[:10])}"
            )
        patches = {i.instance_id: i.patch for i in selected}
    elif request.predictions is not None:
        patches = load_predictions(request.predictions)
        selected = _predicted(selected, everything, patches, notes)
    absent = source.missing({i.repo for i in selected})
    if absent:
        raise EvalInputError(
            f"{request.repos} has no clone of {', '.join(absent)}",
            hint="clone or mirror them there (owner+name/repo, owner__name or name), or leave their instances out "
            "with --instances",
        )
    folder.claim(request.mode, request.dataset, request.predictions)
    done = folder.finished()
    chosen = {i.instance_id for i in selected}
    finished = {
        k: v for k, v in done.items()
        if k in chosen and not (request.retry and v.status in ("unresolved", "error"))
    }
    pending = [i for i in selected if i.instance_id not in finished]
    if finished:
        notes.append(f"resuming: {len(finished)} instance(s) already finished in {folder.root}")
    known = {i.instance_id for i in everything}
    earlier = {k: v for k, v in done.items() if k in known and k not in chosen}
    return Plan(selected, pending, finished, earlier, patches, notes)


def _predicted(
    selected: list[Instance], everything: list[Instance], patches: dict[str, str], notes: list[str]
) -> list[Instance]:
    """The selected instances that have a prediction; notes on the ones left out and on stray predictions."""
    without = [i.instance_id for i in selected if i.instance_id not in patches]
    if without:
        notes.append(f"{len(without)} selected instance(s) have no prediction and are not evaluated")
    if stray := sorted(set(patches) - {i.instance_id for i in everything}):
        notes.append(f"{len(stray)} prediction(s) name instances not in the dataset: {', '.join(stray[:5])}")
    predicted = [i for i in selected if i.instance_id in patches]
    if not predicted:
        raise EvalInputError("no selected instance has a prediction", hint="check the instance ids of both files")
    return predicted


class Campaign:
    """Evaluates the pending instances `jobs` at a time and keeps results.json and summary.md current."""

    def __init__(self, request: EvalRequest, settings: Settings, console: Console) -> None:
        self.request = request
        self.settings = settings
        self.console = console
        self.folder = ResultsFolder(request.out)
        self.source = RepositorySource(request.repos, settings.home / "cache" / "eval-repos")
        self.setup = EvalSetup(settings, self.source, request.test_timeout, KeyedLocks())
        self.team = TeamPatches(settings, self.source, self.folder.root / "logs", request.fleet)

    def run(self, on_result: Callable[[InstanceResult], None] | None = None) -> list[InstanceResult]:
        from workspaces.registry import resolve_kind

        work = plan(self.request, self.folder, self.source)
        backend, _ = resolve_kind(self.settings.workspace)
        if backend == "local":
            work.notes.append(
                "grading in local workspaces: the tests run with this machine's Python and packages, not in an "
                "environment built for each repository (use --workspace docker)"
            )
        for note in work.notes:
            self.console.print(f"[yellow]note:[/] {note}")
        results = dict(work.finished)
        self._write(work, results)
        if self.request.fleet and work.pending:
            self.console.print(f"submitting {len(work.pending)} team job(s) to the fleet")
            self.team.submit_all(work.pending)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=False) as progress, ThreadPoolExecutor(
            max_workers=self.request.jobs, thread_name_prefix="eval"
        ) as pool:
            bar = progress.add_task(self._tally(results), total=len(work.selected), completed=len(results))
            futures: dict[Future[InstanceResult], Instance] = {
                pool.submit(self._one, instance, work.patches.get(instance.instance_id, "")): instance
                for instance in work.pending
            }
            try:
                for future in as_completed(futures):
                    result = future.result()
                    results[result.instance_id] = result
                    self._write(work, results)
                    self._announce(progress, result)
                    progress.update(bar, advance=1, description=self._tally(results))
                    if on_result is not None:
                        on_result(result)
            except KeyboardInterrupt:
                for pending in futures:
                    pending.cancel()
                self.console.print(
                    "[yellow]interrupted:[/] instances still running finish first; resume with the same command"
                )
                raise
        return [results[i.instance_id] for i in work.selected if i.instance_id in results]

    def _one(self, instance: Instance, patch: str) -> InstanceResult:
        log_dir = self.folder.log_dir(instance.instance_id)
        started = time.monotonic()
        job_id, tokens = "", dict[str, int]()
        try:
            if self.request.mode == "run":
                patch, job_id, tokens = self.team.produce(instance)
            result = InstanceRun(instance, patch, self.request.mode, self.setup, log_dir).run()
        except SweTeamError as exc:
            result = self._failed(instance, "team", cause_words(str(exc)), exc.user_message())
            job_id = exc.job_id if isinstance(exc, NoTeamPatch) else ""
        except Exception as exc:  # one instance's crash must not stop the others: it is recorded as an error
            log_dir.mkdir(parents=True, exist_ok=True)
            (log_dir / "crash.log").write_text(traceback.format_exc(), encoding="utf-8")
            result = self._failed(instance, "eval", f"the eval itself failed ({type(exc).__name__})", str(exc))
        result = result.model_copy(
            update={"job_id": job_id, "tokens": tokens, "minutes": round((time.monotonic() - started) / 60, 2)}
        )
        self.folder.record(result)
        return result

    def _failed(self, instance: Instance, stage: str, cause: str, detail: str) -> InstanceResult:
        return InstanceResult(
            instance_id=instance.instance_id, repo=instance.repo, mode=self.request.mode, status="error",
            stage=stage, cause=cause, detail=detail,
        )

    def _write(self, work: Plan, results: dict[str, InstanceResult]) -> None:
        ordered = list({**work.earlier, **results}.values())
        total = len(work.selected) + len(work.earlier)
        self.folder.write_totals(ordered, total, render(self.request.mode, ordered, total))

    def _tally(self, results: dict[str, InstanceResult]) -> str:
        counts = {s: sum(r.status == s for r in results.values()) for s in ("resolved", "unresolved", "error")}
        return f"eval --{self.request.mode}: " + ", ".join(f"{n} {s}" for s, n in counts.items())

    def _announce(self, progress: Progress, result: InstanceResult) -> None:
        colour = COLOURS[result.status]
        why = "" if result.status == "resolved" else f" — {result.stage}: {result.cause}"
        progress.console.print(
            f"[{colour}]{result.status:10}[/] {result.instance_id}  F2P {result.fail_to_pass.passed}/"
            f"{result.fail_to_pass.total}  P2P {result.pass_to_pass.passed}/{result.pass_to_pass.total}  "
            f"{result.minutes:.1f} min{why}"
        )
