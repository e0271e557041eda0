"""The team's use of experience memory: recall lessons at intake, show them to roles, remember the job at the end.

Memory never stops a job: a store that fails mid-job is noted in the trajectory and the job goes on.
"""

from __future__ import annotations

import time
from typing import Any

from core.state import TeamState
from graphs.context import TeamContext
from graphs.decisions import experience_decisions

LESSONS_PER_JOB = 5


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

    context.extras["lessons_text"] = format_lessons(hits)
    files = [loc.path for loc in state.locations]
    context.extras["avoid_text"] = format_lessons(avoid_lessons(hits, files), title="Approaches that failed here")
    context.extras["lessons_used"] = [f"{hit.id} ({hit.kind}): {hit.experience.task[:80]}" for hit in hits]


def remember(context: TeamContext, state: TeamState, status: str, reasons: list[str]) -> str:
    """Store this job's experience and the repository facts it learned; returns the new id or ''."""
    if context.experience is None:
        return ""
    from memory.experience import Cost, Experience, RepoFacts, repo_identity

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
        decisions=experience_decisions(state.decisions),
        status=status,  # type: ignore[arg-type]
        cost=Cost(
            tokens=sum(r.get("prompt_tokens", 0) + r.get("completion_tokens", 0) for r in state.usage.values()),
            seconds=state.elapsed,
        ),
        job_id=context.job.id,
        finished_at=time.time(),
    )
    try:
        lesson_id = str(context.experience.add(experience))
        if state.test_command:
            context.experience.put_facts(RepoFacts(repo=repo, test_command=state.test_command))
    except Exception as exc:  # a memory outage must not lose the job's artefacts
        context.trajectory.record("memory_error", during="add", error=str(exc))
        return ""
    context.trajectory.record("lesson_stored", id=lesson_id, status=status, reasons=reasons)
    return lesson_id
