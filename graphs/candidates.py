"""The candidate search node (`search.candidates` > 1): make N candidate patches, try them all, keep one.

After the reproduction test, `graphs/candidate_runs` makes the candidates in workspaces of their own;
`graphs/candidate_trials` tries each in the job's workspace from the same snapshot; `graphs/selection` chooses,
with the reviewer comparing the two finalists. The winner is applied to the job's workspace and goes on to the
usual verify, review and patch gate. Every candidate's diff is kept in `<job>/candidates/<id>/patch.diff`, the
selection with every step's evidence in `<job>/candidates/selection.json` and in the state (`candidates`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from core.action_log import logged
from core.errors import SweTeamError
from core.state import PatchSummary, Snapshot, TeamState, merge_usage, stored
from graphs.candidate_runs import CandidateRun, make_candidates
from graphs.candidate_trials import RegressionTests, TrialPlan, Trials, apply_diff, without_files
from graphs.context import TeamContext
from graphs.patch_identity import changed_paths
from graphs.selection import Comparer, Comparison, Selection, Verdict, select
from roles.briefing import section, task_section
from roles.loop import RoleVisit, run_tool_loop
from roles.spec import role_spec
from roles.test_scope import is_test_module, linked_to_diff, run_budget
from roles.tester import targets_of

if TYPE_CHECKING:
    from memory.experience import HumanDecision

COMPARED_CHARS = 12_000
ALTERNATIVE_CHARS = 20_000


def regression_tests(context: TeamContext, state: TeamState) -> RegressionTests:
    """Regression tests for a change: the tests the code graph links to it and the baseline's selection; every
    test file when the baseline ran the whole suite (it fit the time budget)."""
    baseline = state.baseline
    if baseline is not None and baseline.scope == "suite":
        files = [path for path in context.workspace.list_files() if is_test_module(path)]
        return lambda diff: files
    selectors = baseline.selectors if baseline else []
    return lambda diff: list(dict.fromkeys([*selectors, *linked_to_diff(context.tools.code_graph, diff)]))


def reviewer_comparer(context: TeamContext, state: TeamState, diffs: dict[str, str], usage: list[Any]) -> Comparer:
    """The reviewer asked which of two finalists to keep; its usage is appended to `usage`."""

    def compare(first: str, second: str) -> Comparison:
        visit = RoleVisit(role_spec("reviewer"), context.role_services(), journal_key=f"compare-{first}-{second}")
        messages = visit.opening(
            task_section(state),
            section(f"Candidate {first}", f"```diff\n{diffs[first][:COMPARED_CHARS]}\n```"),
            section(f"Candidate {second}", f"```diff\n{diffs[second][:COMPARED_CHARS]}\n```"),
            f"Both candidates are finalists of the tests. Compare them and say which one to keep: answer with "
            f"`preferred` = {first} or {second} and the reason.",
        )
        try:
            return run_tool_loop(visit, messages, Comparison)
        except SweTeamError as exc:
            return Comparison(preferred="", reason=f"the reviewer could not compare them: {exc}")
        finally:
            usage.append(visit.usage_update())

    return compare


def _patch_summary(run: CandidateRun, code: str) -> PatchSummary:
    return PatchSummary(
        summary=run.summary,
        root_cause=run.root_cause,
        files=changed_paths(code),
        diff_lines=code.count("\n"),
    )


def _failed(runs: list[CandidateRun]) -> list[Verdict]:
    return [
        Verdict(id=run.id, standing="dropped", reason=f"its coder run failed: {run.error}") for run in runs if run.error
    ]


def candidates_node(state: TeamState, *, runtime: Runtime[TeamContext]) -> dict[str, Any]:
    context = runtime.context
    started = time.monotonic()
    workspace = context.workspace
    context.progress("coder", f"making {state.search_candidates} candidate patches")
    context.trajectory.record("node_start", node="candidates")
    start = state.snapshots[-1].id
    runs, stopped = make_candidates(context, state, workspace.diff())
    folder = context.job_dir / "candidates"
    for run in runs:
        (folder / run.id).mkdir(parents=True, exist_ok=True)
        (folder / run.id / "patch.diff").write_text(run.diff, encoding="utf-8")
    diffs = {run.id: run.diff for run in runs if not run.error}
    tester_files = state.reproduction.test_files if state.reproduction else []
    plural = "" if len(diffs) == 1 else "s"
    context.progress("tester", f"trying {len(diffs)} candidate{plural} against every candidate's tests")
    plan = TrialPlan(
        workspace=workspace,
        start_snapshot=start,
        test_command=state.test_command,
        tester_tests=targets_of(state),
        tester_files=tester_files,
        regression_tests=regression_tests(context, state),
        timeout=run_budget(state, context.settings.budgets.command_timeout_s),
    )
    evidence = Trials(plan, diffs).evidence()
    compared: list[Any] = []
    selection = select(evidence, reviewer_comparer(context, state, diffs, compared))
    selection.verdicts += _failed(runs)
    update = _applied(context, state, selection, runs, tester_files, start)
    usage: dict[str, dict[str, Any]] = {}
    for part in [run.usage for run in runs] + compared:
        usage = merge_usage(usage, part)
    update["usage"] = usage
    update["candidates"] = {
        "runs": [run.record() for run in runs],
        "selection": selection.model_dump(),
        "stopped": stopped,
    }
    (folder / "selection.json").write_text(json.dumps(update["candidates"], indent=2), encoding="utf-8")
    update["notes"] = [note for note in (stopped, _outcome_note(selection)) if note]
    update["elapsed"] = time.monotonic() - started
    context.trajectory.record("node_end", node="candidates", winner=selection.winner, seconds=update["elapsed"])
    return stored(update)


def _applied(
    context: TeamContext,
    state: TeamState,
    selection: Selection,
    runs: list[CandidateRun],
    tester_files: list[str],
    start: str,
) -> dict[str, Any]:
    """The winner applied to the job's workspace (at the start snapshot when there is none), as an update."""
    workspace = context.workspace
    workspace.rollback(start)
    update: dict[str, Any] = {"iterations": state.iterations + 1, "feedback": ""}
    winner = next((run for run in runs if run.id == selection.winner), None)
    if winner is not None:
        code = without_files(winner.diff, tester_files)
        if problem := apply_diff(workspace, code):
            workspace.rollback(start)
            update["halt"] = f"candidates: the winner {winner.id} did not apply to the job's workspace: {problem}"
        else:
            update["patch"] = _patch_summary(winner, code)
            kept = [action for action in winner.actions if not set(action.files()) & set(tester_files)]
            update["actions"] = logged(kept, len(state.actions), "coder")
            for index, action in enumerate(kept, start=len(state.actions)):
                context.trajectory.record(
                    "edit_action", role="coder", index=index, candidate=winner.id, **action.model_dump(mode="json")
                )
    update["snapshots"] = [Snapshot(node="candidates", id=workspace.snapshot("candidates"))]
    return update


def _outcome_note(selection: Selection) -> str:
    if not selection.winner:
        return "candidates: no candidate survived the tests; the coder goes on alone if iterations are left"
    return f"candidates: {selection.winner} chosen — {selection.verdict(selection.winner).reason}"


def finalists_shown(state: TeamState, job_dir: Path, diff_chars: int = 20_000) -> dict[str, Any]:
    """The patch gate's side-by-side view of a candidate search: the two finalists (diff, test sets, votes, why)
    and the reviewer's comparison; {} for a job without one. A finalist's `patch_file` is what `edit` takes."""
    selection = state.candidates.get("selection", {})
    verdicts = {verdict["id"]: verdict for verdict in selection.get("verdicts", [])}
    shown = []
    for cid in selection.get("finalists", []):
        path = job_dir / "candidates" / cid / "patch.diff"
        diff = path.read_text(encoding="utf-8") if path.exists() else ""
        verdict = verdicts.get(cid, {})
        shown.append(
            {
                "id": cid,
                "standing": verdict.get("standing", ""),
                "reason": verdict.get("reason", ""),
                "votes": verdict.get("votes", 1),
                "passed_sets": verdict.get("passed_sets", []),
                "failed_sets": verdict.get("failed_sets", []),
                "tests_passed": verdict.get("tests_passed", 0),
                "patch_file": str(path),
                "diff": diff[:diff_chars],
            }
        )
    if not shown:
        return {}
    others = [v for cid, v in verdicts.items() if cid not in selection.get("finalists", [])]
    return {
        "finalists": shown,
        "comparison": selection.get("comparison"),
        "others": [{"id": v["id"], "standing": v["standing"], "reason": v["reason"]} for v in others],
    }


def rejected_alternatives(state: TeamState, job_dir: Path) -> list[HumanDecision]:
    """The losing candidates as rejected alternatives for the lesson: one record per distinct losing change,
    at the gate `candidates` (chosen by the selection, not by a person), its diff rejected for the winner's; the
    preference export pairs them."""
    from memory.experience import HumanDecision

    selection = state.candidates.get("selection", {})
    winner = selection.get("winner", "")
    folder = job_dir / "candidates"
    if not winner or not (folder / winner / "patch.diff").exists():
        return []
    chosen = (folder / winner / "patch.diff").read_text(encoding="utf-8")[:ALTERNATIVE_CHARS]
    found = []
    for verdict in selection.get("verdicts", []):
        path = folder / verdict["id"] / "patch.diff"
        if verdict["standing"] in ("winner", "duplicate") or not path.exists():
            continue
        found.append(
            HumanDecision(
                gate="candidates",
                action="reject",
                comment=f"{verdict['id']} {verdict['standing']}: {verdict['reason']}",
                proposal=path.read_text(encoding="utf-8")[:ALTERNATIVE_CHARS],
                accepted=chosen,
            )
        )
    return found
