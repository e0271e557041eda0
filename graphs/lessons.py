"""The team's use of experience memory: recall lessons at intake, show them to roles, remember the job at the end.

Memory never stops a job: a store that fails mid-job is noted in the trajectory and the job goes on.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from core.state import Decision, TeamState
from graphs.action_feedback import stored_answers
from graphs.candidates import rejected_alternatives
from graphs.context import TeamContext

if TYPE_CHECKING:
    from memory.experience import HumanDecision
    from memory.experience.record import GateAction

LESSONS_PER_JOB = 5
REMEMBERED_ACTIONS: dict[str, GateAction] = {"approve": "approve", "reject": "reject", "retry": "retry", "edit": "edit"}
"""Decisions kept in a lesson, under the action the person took; an edit that did not apply changed nothing."""
INFRASTRUCTURE_FAILURE = re.compile(
    r"\bmodel server(?: at \S+)? (?:refused the request|kept failing|did not answer|exited)"
    r"|no answer from the model server|could not encode its request to|nothing answers at"
    r"|environment step '[^']*' failed|the workspace of job \S+ is closed"
    r"|preparing the repository in the container failed"
)
"""The words of `core.model.llm`, the runner and the workspaces for a part the job runs on failing: a job that
ended on one of these says nothing about the task, so it leaves no lesson."""


def _hits(context: TeamContext, state: TeamState) -> list[Any]:
    """Search once per process; after a resume only the lessons intake chose are kept."""
    if context.experience is None:
        return []
    if "lesson_hits" not in context.extras:
        from memory.experience import repo_identity

        try:
            found = context.experience.search(state.task, repo=repo_identity(context.job.repo), k=LESSONS_PER_JOB)
        except Exception as exc:  # a memory outage must not stop the job
            context.trajectory.record("memory_error", during="search", error=str(exc))
            found = []
        chosen = state.lessons
        context.extras["lesson_hits"] = [h for h in found if chosen is None or h.id in chosen]
    hits: list[Any] = context.extras["lesson_hits"]
    return hits


def recall(context: TeamContext, state: TeamState) -> list[str]:
    """Ids of the lessons this job will use (stored in the state at intake)."""
    return [hit.id for hit in _hits(context, state)]


def brief_roles(context: TeamContext, state: TeamState) -> None:
    """Put the lesson text the planner, localizer and coder prompts include into the run-time extras."""
    hits = _hits(context, state)
    if not hits:
        return
    from memory.experience import avoid_lessons, format_lessons
    from memory.experience.lessons import lesson_label

    context.extras["lessons_text"] = format_lessons(hits)
    files = [loc.path for loc in state.locations]
    context.extras["avoid_text"] = format_lessons(avoid_lessons(hits, files), title="Approaches that failed here")
    context.extras["lessons_used"] = [lesson_label(hit) for hit in hits]


def infrastructure_failure(status: str, reasons: list[str]) -> str:
    """The reason, when a job that did not succeed ended on a failure of the model server or the workspace."""
    if status in ("resolved", "rejected"):
        return ""
    return next((reason for reason in reasons if INFRASTRUCTURE_FAILURE.search(reason)), "")


def remembered_decisions(decisions: list[Decision]) -> list[HumanDecision]:
    """The job's decisions for the lesson and its preference pairs, each under the action the person took."""
    from memory.experience import HumanDecision

    return [
        HumanDecision(
            gate=d.gate,
            action=REMEMBERED_ACTIONS[d.action],
            comment=d.comment,
            proposal=d.proposal,
            accepted=d.accepted,
            at=d.at,
        )
        for d in decisions
        if d.action in REMEMBERED_ACTIONS
    ]


def remember(context: TeamContext, state: TeamState, status: str, reasons: list[str]) -> str:
    """Store this job's experience and the repository facts it learned; returns the new id or ''."""
    if context.experience is None:
        return ""
    if cause := infrastructure_failure(status, reasons):
        note = f"no lesson stored: the job ended on a failure of what it runs on, not of the work ({cause})"
        context.extras.setdefault("run_notes", []).append(note)
        context.trajectory.record("lesson_skipped", status=status, reason=cause)
        return ""
    from memory.experience import Cost, Experience, RepoFacts, repo_identity
    from memory.experience.summary import lesson_advice, lesson_title

    repo = repo_identity(context.job.repo)
    patch = state.patch
    experience = Experience(
        repo=repo,
        task=state.task,
        kind=state.kind,
        classification=state.classification.model_dump() if state.classification else {},
        localized_files=[loc.path for loc in state.locations],
        localized_symbols=[loc.symbol for loc in state.locations if loc.symbol],
        changed_files=patch.files if patch else [],
        change_summary=patch.summary if patch else "",
        test_outcome=state.test_report.summary if state.test_report else "",
        review_objections=[f.message for f in state.review.findings if f.severity != "info"] if state.review else [],
        decisions=remembered_decisions(state.decisions) + rejected_alternatives(state, context.job_dir),
        action_preferences=stored_answers(context.job_dir),
        status=status,  # type: ignore[arg-type]
        reasons=reasons,
        cost=Cost(
            tokens=sum(r.get("prompt_tokens", 0) + r.get("completion_tokens", 0) for r in state.usage.values()),
            seconds=state.elapsed,
        ),
        job_id=context.job.id,
        finished_at=time.time(),
    )
    experience.title, experience.advice = lesson_title(experience), lesson_advice(experience)
    try:
        lesson_id = str(context.experience.add(experience))
        if state.test_command:
            context.experience.put_facts(RepoFacts(repo=repo, test_command=state.test_command))
    except Exception as exc:  # a memory outage must not lose the job's artefacts
        context.trajectory.record("memory_error", during="add", error=str(exc))
        return ""
    context.trajectory.record("lesson_stored", id=lesson_id, status=status, reasons=reasons)
    return lesson_id
