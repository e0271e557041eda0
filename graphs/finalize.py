"""Finalize: decide the status and say why, write patch, branch, report and prediction line.

Every write here is idempotent, so a finalize re-run after a crash produces the same artefacts once.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from core.errors import SweTeamError
from core.state import TeamState
from graphs import report
from graphs.branch import commit_plan, write_branch
from graphs.context import TeamContext
from graphs.lessons import brief_roles, remember


def decide(state: TeamState) -> tuple[str, list[str]]:
    """The job's status and the reasons a user should read first."""
    if state.status == "rejected":
        return "rejected", [state.halt]
    if state.dry_run and not state.halt:
        return "planned", [_dry_run_reason(state)]
    tests_pass = state.test_report is not None and state.test_report.passed
    approved = state.review is not None and state.review.verdict == "approve"
    if not state.halt and tests_pass and approved:
        return "resolved", []
    reasons = [state.halt] if state.halt else []
    if state.test_report is None:
        reasons.append(_no_candidate_left(state) or "the patch was never verified")
    elif not tests_pass:
        reasons.append(f"the tests still fail after {state.iterations} coder iteration(s)")
    elif not approved:
        reasons.append(f"the reviewer still requests changes after {state.review_rounds} round(s)")
    return "unresolved", reasons


def _no_candidate_left(state: TeamState) -> str:
    """Why a candidate search left nothing to verify, candidate by candidate ('' when it did not happen)."""
    selection = state.candidates.get("selection") or {}
    if not state.candidates or selection.get("winner") or state.patch is not None:
        return ""
    dropped = "; ".join(
        f"{verdict['id']}: {_clipped(verdict['reason'])}" for verdict in selection.get("verdicts", [])
    )
    return f"no candidate patch was left ({dropped})" if dropped else "no candidate patch was made"


def _clipped(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _dry_run_reason(state: TeamState) -> str:
    steps = len(state.plan.steps) if state.plan else 0
    return (
        f"dry run: a plan of {steps} step(s) and {len(state.locations)} ranked location(s); nothing was edited "
        "(run the task again without --dry-run to make the change)"
    )


def branch_allowed(state: TeamState) -> bool:
    """Writing into the user's repository needs --yes-destructive or an explicit approval at the final gate."""
    if state.yes_destructive:
        return True
    final = [d for d in state.decisions if d.gate == "final"]
    return bool(final) and final[-1].action == "approve"


def finalize(state: TeamState, *, runtime: Runtime[TeamContext]) -> dict[str, Any]:
    context = runtime.context
    context.progress("finalize", "writing artefacts")
    job_dir = context.job_dir
    status, reasons = decide(state)
    diff = context.workspace.diff()
    outputs: dict[str, str] = {"patch": str(job_dir / "patch.diff"), "report": str(job_dir / "report.md")}
    (job_dir / "patch.diff").write_text(diff, encoding="utf-8")
    if status == "resolved" and diff.strip() and not branch_allowed(state):
        reasons.append("the branch was not written: nobody said yes at the final gate (see --yes-destructive)")
    elif status == "resolved" and diff.strip():
        try:
            commits = write_branch(
                Path(context.job.repo), context.job.base_commit, context.job.branch, diff, commit_plan(state, diff)
            )
            outputs["branch"] = context.job.branch
            outputs["commits"] = ", ".join(c[:10] for c in commits)
        except SweTeamError as exc:
            reasons.append(f"the branch could not be written: {exc}")
    prediction = {
        "instance_id": context.job.instance_id or context.job.id,
        "model_name_or_path": context.settings.alias("instruct").model,
        "model_patch": diff,
    }
    (job_dir / "pred.jsonl").write_text(json.dumps(prediction) + "\n", encoding="utf-8")
    outputs.update(prediction=str(job_dir / "pred.jsonl"), trajectory=str(context.trajectory.path))
    brief_roles(context, state)
    lessons = context.extras.get("lessons_used", [])
    if not state.dry_run and (lesson_id := remember(context, state, status, reasons)):
        outputs["lesson"] = lesson_id
    reported = state.model_copy(update={"notes": state.notes + context.extras.get("run_notes", [])})
    text = report.render(reported, status, reasons, outputs, lessons, context.trajectory.redactor)
    (job_dir / "report.md").write_text(text, encoding="utf-8")
    context.trajectory.record("finalized", status=status, reasons=reasons, at=time.time())
    return {"status": status, "outputs": outputs, "notes": [f"finished: {r}" for r in reasons]}
