"""The team's use of experience memory: recall lessons at intake, show them to roles, remember the job at the end.

Memory never stops a job: a store that fails mid-job is noted in the trajectory and the job goes on.
"""

from __future__ import annotations

import time
from typing import Any

from graphs.context import TeamContext
from graphs.state import TeamState

LESSONS_PER_JOB = 5


def _hits(context: TeamContext, state: TeamState) -> list[Any]:
    """Search once per process; after a resume only the lessons intake chose are kept."""
    if context.experience is None:
        return []
    if "lesson_hits" not in context.extras:
        from memory.experience import repo_identity

        try:
            found = context.experience.search(
                state.get("task", ""), repo=repo_identity(context.job.repo), k=LESSONS_PER_JOB
            )
        except Exception as exc:  # a memory outage must not stop the job
            context.trajectory.record("memory_error", during="search", error=str(exc))
            found = []
        chosen = state.get("lessons")
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
    files = [loc.get("path", "") for loc in state.get("locations", [])]
    context.extras["avoid_text"] = format_lessons(avoid_lessons(hits, files), title="Approaches that failed here")
    context.extras["lessons_used"] = [f"{hit.id} ({hit.kind}): {hit.experience.task[:80]}" for hit in hits]


def remember(context: TeamContext, state: TeamState, status: str, reasons: list[str]) -> str:
    """Store this job's experience and the repository facts it learned; returns the new id or ''."""
    if context.experience is None:
        return ""
    from graphs.decisions import experience_decisions
    from memory.experience import Cost, Experience, RepoFacts, repo_identity

    repo = repo_identity(context.job.repo)
    usage = state.get("usage", {})
    review = state.get("review", {})
    experience = Experience(
        repo=repo,
        task=state.get("task", ""),
        kind=state.get("kind", "bug"),
        classification=state.get("classification", {}),
        localized_files=[loc.get("path", "") for loc in state.get("locations", [])],
        localized_symbols=[loc["symbol"] for loc in state.get("locations", []) if loc.get("symbol")],
        changed_files=state.get("patch", {}).get("files", []),
        change_summary=state.get("patch", {}).get("summary", ""),
        test_outcome=state.get("test_report", {}).get("summary", ""),
        review_objections=[f["message"] for f in review.get("findings", []) if f.get("severity") != "info"],
        decisions=experience_decisions(state.get("decisions", [])),
        status=status,  # type: ignore[arg-type]
        cost=Cost(
            tokens=sum(r.get("prompt_tokens", 0) + r.get("completion_tokens", 0) for r in usage.values()),
            seconds=state.get("elapsed", 0.0),
        ),
        job_id=context.job.id,
        finished_at=time.time(),
    )
    try:
        lesson_id = str(context.experience.add(experience))
        if state.get("test_command"):
            context.experience.put_facts(RepoFacts(repo=repo, test_command=state["test_command"]))
    except Exception as exc:  # a memory outage must not lose the job's artefacts
        context.trajectory.record("memory_error", during="add", error=str(exc))
        return ""
    context.trajectory.record("lesson_stored", id=lesson_id, status=status, reasons=reasons)
    return lesson_id
