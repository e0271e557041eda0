"""Lessons as prompt text: compact lines for planner and localizer, "avoid" notes for the coder's files."""

from __future__ import annotations

from collections.abc import Iterable

from memory.experience.ranking import SearchHit


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def lesson_line(number: int, hit: SearchHit) -> str:
    exp = hit.experience
    parts = [f"[L{number} {hit.kind} · {exp.status} · {hit.scope}] task: {_clip(exp.task, 140)}"]
    where = exp.localized_symbols[:3] or exp.localized_files[:3]
    if where:
        parts.append(f"fault near: {', '.join(where)}")
    if exp.changed_files:
        parts.append(f"changed: {', '.join(exp.changed_files[:4])}")
    if exp.change_summary:
        parts.append(f"what: {_clip(exp.change_summary, 220)}")
    if exp.test_outcome:
        parts.append(f"tests: {_clip(exp.test_outcome, 60)}")
    objections = exp.review_objections[:2]
    if objections:
        parts.append("reviewer: " + "; ".join(_clip(o, 100) for o in objections))
    comments = [d.comment for d in exp.decisions if d.comment][:2]
    if comments:
        parts.append("human: " + "; ".join(_clip(c, 100) for c in comments))
    parts.append(f"(id {exp.id})")
    return " — ".join(parts)


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
    return f'{title} ("avoid" = an approach that was rejected or failed; do not repeat it):\n' + "\n".join(
        lines
    )


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
