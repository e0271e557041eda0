"""Lessons as prompt text: compact lines for planner and localizer, "avoid" notes for the coder's files."""

from __future__ import annotations

from collections.abc import Iterable

from memory.experience.ranking import SearchHit
from memory.experience.summary import advice, clip, headline


def lesson_line(number: int, hit: SearchHit) -> str:
    """One line a role reads: kind, outcome and scope, the task, the do/avoid advice, the lesson id."""
    exp = hit.experience
    head = f"[L{number} {hit.kind} · {exp.status} · {hit.scope}] task: {clip(exp.task, 140)}"
    return f"{head} — {advice(exp)} (id {exp.id})"


def lesson_label(hit: SearchHit) -> str:
    """How a person sees a lesson a job used (gate screen, report): its title, kind and id, on one line."""
    return f"{headline(hit.experience)} ({hit.kind}, lesson {hit.id})"


def format_lessons(
    hits: Iterable[SearchHit], *, max_chars: int = 2000, title: str = "Lessons from earlier jobs"
) -> str:
    """Numbered lesson lines, best first, cut to `max_chars`; empty string when there is nothing to say.
    "avoid" lessons are approaches that were rejected or failed: do not repeat them."""
    lines: list[str] = []
    used = len(title) + 2
    for number, hit in enumerate(hits, start=1):
        line = lesson_line(number, hit)
        if used + len(line) + 1 > max_chars:
            break
        lines.append(line)
        used += len(line) + 1
    if not lines:
        return ""
    return f'{title} ("avoid" = an approach that was rejected or failed; do not repeat it):\n' + "\n".join(lines)


def _touches(path: str, files: set[str]) -> bool:
    return any(path == f or path.endswith("/" + f) or f.endswith("/" + path) for f in files)


def avoid_lessons(hits: Iterable[SearchHit], files: Iterable[str]) -> list[SearchHit]:
    """The "avoid" lessons whose changed or localized files include one of `files` (the coder's files)."""
    wanted = set(files)
    return [
        hit
        for hit in hits
        if hit.kind == "avoid"
        and any(_touches(p, wanted) for p in hit.experience.changed_files + hit.experience.localized_files)
    ]


def lesson_ids(hits: Iterable[SearchHit]) -> list[str]:
    return [hit.id for hit in hits]
