"""Making the candidate patches: N coder runs from the same snapshot, each in a workspace of its own.

Each candidate starts from the main workspace's state after the reproduction test (its diff is applied to a fresh
workspace of the job's backend), samples at its own temperature and, when the localizer ranked several places,
starts from a different one. Each has its own trajectory and model journal under `<job>/candidates/<id>/`. No
candidate starts once the search's tokens or minutes are spent, or, with `stop_early`, once one passed every test
and the reviewer approved it; those already running finish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.edit_actions import EditAction
from core.errors import SweTeamError
from core.model.base import ModelClient
from core.search_settings import SearchSettings
from core.settings import Settings
from core.state import Location, TeamState
from core.trajectory import Trajectory
from graphs.candidate_trials import apply_diff
from graphs.context import TeamContext
from roles import coder, reviewer, tester
from roles.context import RoleServices
from roles.journal import ModelJournal
from roles.loop import RoleVisit
from roles.spec import role_spec
from tools.base import ToolContext
from workspaces.base import Workspace


@dataclass(frozen=True)
class CandidatePlan:
    id: str
    temperature: float
    first_location: int
    """Index in the localizer's ranking of the place this candidate starts from."""


@dataclass
class CandidateRun:
    """What one candidate's coder made; the diff is against the base commit, as the workspace gives it."""

    id: str
    temperature: float
    diff: str = ""
    summary: str = ""
    root_cause: str = ""
    tokens: int = 0
    seconds: float = 0.0
    passed: bool | None = None
    """Its own tests passed in its workspace (checked only with `stop_early`)."""
    review: str = ""
    """The reviewer's verdict on it (asked only with `stop_early` and passing tests)."""
    error: str = ""
    folder: str = ""
    usage: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: list[EditAction] = field(default_factory=list)
    """The coder's edit actions in its workspace, in order: the job's action log when it wins."""

    def record(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key not in ("diff", "usage", "actions")}


def candidate_plans(state: TeamState, search: SearchSettings) -> list[CandidatePlan]:
    """One plan per candidate: temperatures in turn, and starting places in the localizer's order."""
    places = max(1, len(state.locations))
    return [
        CandidatePlan(f"c{index + 1}", search.temperatures[index % len(search.temperatures)], index % places)
        for index in range(state.search_candidates)
    ]


class SearchBudget:
    """Whether another candidate may start: tokens, minutes, and an early stop."""

    def __init__(self, search: SearchSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.search, self.clock, self.started = search, clock, clock()
        self.tokens = 0
        self.good = ""

    def add(self, run: CandidateRun) -> None:
        self.tokens += run.tokens
        if run.passed and run.review == "approve" and not self.good:
            self.good = run.id

    def stop_reason(self) -> str:
        if self.tokens >= self.search.max_tokens:
            return f"the search's token budget is spent ({self.tokens} ≥ {self.search.max_tokens})"
        minutes = (self.clock() - self.started) / 60
        if minutes >= self.search.max_minutes:
            return f"the search's time budget is spent ({minutes:.1f} ≥ {self.search.max_minutes:g} min)"
        if self.good and self.search.stop_early:
            return f"{self.good} passed every test and the reviewer approved it (search.stop_early)"
        return ""


def sampled_model(model: ModelClient, settings: Settings, alias: str, temperature: float) -> ModelClient:
    """The job's model client sampling at `temperature` (a client that is not litellm's is used as it is)."""
    from core.model.llm import LiteLLMClient

    if not isinstance(model, LiteLLMClient):
        return model
    aliases = settings.models
    tuned = getattr(aliases, alias).model_copy(update={"temperature": temperature})
    changed = settings.model_copy(update={"models": aliases.model_copy(update={alias: tuned})})
    return LiteLLMClient(changed, model.ledger)


def open_candidate_workspace(context: TeamContext, state: TeamState, cid: str, folder: Path) -> Workspace:
    from workspaces.registry import create_workspace, discard_workspace

    job = context.job
    backend = str(state.workspace.get("backend") or context.workspace.info.backend)
    job_id = f"{job.id}-{cid}"
    # a search interrupted by a crash runs again from the start: what its candidates left goes first
    discard_workspace(backend, job_id=job_id, repo_path=job.repo, job_dir=folder, settings=context.settings)
    return create_workspace(
        backend,
        job_id=job_id,
        repo_path=job.repo,
        base_commit=job.base_commit,
        job_dir=folder,
        settings=context.settings,
    )


def _first(locations: list[Location], index: int) -> list[Location]:
    return locations[index:] + locations[:index]


def make_candidate(context: TeamContext, state: TeamState, plan: CandidatePlan, start_diff: str) -> CandidateRun:
    """One candidate: a workspace, the state after the reproduction test, a coder visit, and with `stop_early`
    its tests and the reviewer; the workspace is closed at the end (its diff is kept)."""
    folder = context.job_dir / "candidates" / plan.id
    run = CandidateRun(plan.id, plan.temperature, folder=str(folder))
    started = time.monotonic()
    try:
        workspace = open_candidate_workspace(context, state, plan.id, folder)
    except SweTeamError as exc:
        run.error = f"its workspace could not be opened: {exc}"
        return run
    try:
        if problem := apply_diff(workspace, start_diff):
            raise SweTeamError(f"the reproduction tests did not apply to its workspace: {problem}")
        _work(context, state, plan, workspace, run, folder)
    except SweTeamError as exc:
        run.error = str(exc)
    finally:
        run.seconds = time.monotonic() - started
        workspace.close()
    return run


def _work(
    context: TeamContext, state: TeamState, plan: CandidatePlan, workspace: Workspace, run: CandidateRun, folder: Path
) -> None:
    coder_spec = role_spec("coder")
    tools = ToolContext(
        workspace=workspace, experience=context.experience, command_timeout_s=context.settings.budgets.command_timeout_s
    )
    tools.action_listeners.append(run.actions.append)
    services = RoleServices(
        settings=context.settings,
        model=sampled_model(context.model, context.settings, coder_spec.alias, plan.temperature),
        tools=tools,
        trajectory=Trajectory(folder / "trajectory.jsonl", context.trajectory.redactor),
        journal=ModelJournal(folder / "journal"),
        progress=lambda role, message: context.progress(role, f"candidate {plan.id}: {message}"),
        ledger=context.ledger,
        extras=context.extras,
    )
    mine = state.model_copy(update={"locations": _first(state.locations, plan.first_location), "feedback": ""})
    services.trajectory.record("candidate_start", id=plan.id, temperature=plan.temperature)
    visit = RoleVisit(coder_spec, services, journal_key=f"{plan.id}-coder")
    update = coder.run(mine, visit)
    run.diff = workspace.diff()
    run.summary, run.root_cause = update["patch"].summary, update["patch"].root_cause
    visits = [visit]
    if context.settings.search.stop_early and run.diff.strip():
        mine = mine.model_copy(update={"patch": update["patch"], "snapshots": []})
        verdict = tester.verify(mine, tools)["test_report"]
        run.passed = verdict.passed
        if verdict.passed:
            review_visit = RoleVisit(role_spec("reviewer"), services, journal_key=f"{plan.id}-reviewer")
            run.review = reviewer.run(mine.model_copy(update={"test_report": verdict}), review_visit)["review"].verdict
            visits.append(review_visit)
    for done in visits:
        for role, values in done.usage_update().items():
            run.usage[f"{role} (candidates)"] = values
    run.tokens = sum(v.get("prompt_tokens", 0) + v.get("completion_tokens", 0) for v in run.usage.values())
    services.trajectory.record("candidate_end", id=plan.id, tokens=run.tokens, passed=run.passed, review=run.review)


def make_candidates(context: TeamContext, state: TeamState, start_diff: str) -> tuple[list[CandidateRun], str]:
    """(the candidates made, in plan order; why the search stopped before making them all, or '')."""
    search = context.settings.search
    budget = SearchBudget(search)
    queue = candidate_plans(state, search)
    runs: list[CandidateRun] = []
    stopped = ""
    with ThreadPoolExecutor(max_workers=search.parallel) as pool:
        pending: dict[Future[CandidateRun], CandidatePlan] = {}
        while queue or pending:
            while queue and len(pending) < search.parallel and not (stopped := budget.stop_reason()):
                plan = queue.pop(0)
                pending[pool.submit(make_candidate, context, state, plan, start_diff)] = plan
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.pop(future)
                run = future.result()
                runs.append(run)
                budget.add(run)
    order = {plan.id: index for index, plan in enumerate(candidate_plans(state, search))}
    runs.sort(key=lambda run: order[run.id])
    left = state.search_candidates - len(runs)
    return runs, (f"{len(runs)} of {state.search_candidates} candidates made: {stopped}" if left and stopped else "")
