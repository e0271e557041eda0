"""A lesson's one-line title and its do/avoid advice, written from the job's evidence without a model call.

Records stored before these fields existed get theirs derived here when they are shown.
"""

from __future__ import annotations

import json
import re

from memory.experience.ranking import lesson_kind
from memory.experience.record import Experience

SUBJECT_CHARS = 72
TITLE_CHARS = 120
ADVICE_CHARS = 480
_MARKDOWN_LEAD = re.compile(r"^\s*(?:#+|[-*>]|\d+[.)])\s+")
_TEST_PATH = re.compile(r"(?:^|/)(?:tests?|spec)/|(?:^|/)test_[^/]*$|_test\.\w+$|\.(?:spec|test)\.\w+$")
_SHORT_REASONS = (
    ("the tests still fail", "tests still fail"),
    ("the reviewer still requests changes", "the reviewer still objects"),
    ("the patch was never verified", "never verified"),
    ("no candidate patch was", "no candidate left"),
)


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with `…` when longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-—") + "…"


def task_subject(task: str) -> str:
    """The task's first line of text, without Markdown heading or list marks."""
    for line in task.splitlines():
        text = _MARKDOWN_LEAD.sub("", line).strip().strip("`*_")
        if text:
            return clip(text, SUBJECT_CHARS)
    return "(no task text)"


def _is_test(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


def _files(paths: list[str]) -> str:
    """Up to two changed source files, `+N` for more, `+ tests` when tests changed too."""
    sources = [p for p in paths if not _is_test(p)]
    if not sources:
        sources = paths
    text = ", ".join(sources[:2]) + (f" +{len(sources) - 2}" if len(sources) > 2 else "")
    return text + (" + tests" if len(sources) < len(paths) else "")


def _gate_refusal(exp: Experience) -> tuple[str, str]:
    """(gate, comment) of the last decision that refused the proposal; ('', '') when none did."""
    refused = [d for d in exp.decisions if d.action == "reject"]
    if not refused:
        return "", ""
    return refused[-1].gate, refused[-1].comment


def _patch_approved(exp: Experience) -> bool:
    """A person said yes to the change itself (at the patch or final gate), not only to a plan."""
    said = [d.action for d in exp.decisions if d.gate in ("patch", "final") and d.action != "comment"]
    return bool(said) and said[-1] in ("approve", "edit")


def _short_reason(exp: Experience) -> str:
    """Why an unresolved job ended, in a few words: its first reason, or what its record shows."""
    for reason in exp.reasons:
        if not reason.strip() or reason.startswith("the branch was not written"):
            continue
        for long, short in _SHORT_REASONS:
            if reason.startswith(long):
                return short
        return clip(reason, 60)
    if exp.test_outcome.startswith("failed"):
        return "tests failed"
    if exp.review_objections:
        return "the reviewer objected"
    return ""


def lesson_title(exp: Experience) -> str:
    """`<task subject> — <how it ended>`: distinct for jobs on one task that ended differently."""
    files = _files(exp.changed_files)
    if exp.status == "resolved":
        outcome = f"fixed in {files}" if files else "resolved"
        if _patch_approved(exp):
            outcome += ", approved"
    elif exp.status == "rejected":
        gate, comment = _gate_refusal(exp)
        outcome = f"rejected at the {gate} gate" if gate else "rejected"
        if comment:
            outcome += f": {clip(comment, 40)}"
    elif exp.status == "cancelled":
        outcome = "cancelled"
    else:
        reason = _short_reason(exp)
        outcome = f"tried {files}" if files else "no patch"
        outcome += f", {reason}" if reason else f", {exp.status}"
    return clip(f"{task_subject(exp.task)} — {outcome}", TITLE_CHARS)


def _proposal_gist(text: str) -> str:
    """A refused proposal in a few words: a plan's summary, a location list's places, else its first line."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("summary"), str):
        return f"the plan {clip(data['summary'], 120)!r}"
    if isinstance(data, list):
        places = [str(item.get("symbol") or item.get("path")) for item in data if isinstance(item, dict)]
        return f"looking at {', '.join(places[:3])}" if places else ""
    return clip(text.strip().splitlines()[0], 120) if text.strip() else ""


def _change(exp: Experience, verb: str) -> str:
    summary = clip(exp.change_summary, 200).rstrip(". ")
    files = _files(exp.changed_files)
    if summary and files:
        return f"{summary} (in {files})"
    if summary or files:
        return summary or f"{verb} {files}"
    refused = [d.proposal for d in exp.decisions if d.action in ("reject", "retry") and d.proposal]
    return _proposal_gist(refused[-1]) if refused else ""


def _why_avoid(exp: Experience) -> str:
    if exp.status == "rejected":
        gate, comment = _gate_refusal(exp)
        where = f"a human rejected it at the {gate} gate" if gate else "a human rejected it"
        return f"{where}: {clip(comment, 120)}" if comment else where
    reasons = [_short_reason(exp)]
    if exp.test_outcome and not exp.test_outcome.startswith("passed"):
        reasons.append(f"tests: {clip(exp.test_outcome, 80)}")
    if exp.review_objections:
        reasons.append(f"reviewer: {clip(exp.review_objections[0], 100)}")
    return "; ".join(r for r in reasons if r) or f"the job ended {exp.status}"


def lesson_advice(exp: Experience) -> str:
    """`Do: …`, `Avoid: …` or `Note: …` (as `lesson_kind` says) with where the fault was and what tests and
    people said; one line."""
    kind = lesson_kind(exp)
    where = ", ".join(exp.localized_symbols[:3] or exp.localized_files[:3])
    comments = [clip(d.comment, 80) for d in exp.decisions if d.comment and d.action != "reject"][:2]
    if kind == "do":
        parts = [f"Do: {_change(exp, 'change') or 'the same approach'}"]
        if where:
            parts.append(f"fault near {where}")
        if exp.test_outcome:
            parts.append(f"tests: {clip(exp.test_outcome, 80)}")
    elif kind == "avoid":
        parts = [f"Avoid: {_change(exp, 'changing') or 'the same approach'} — {_why_avoid(exp)}"]
        if where:
            parts.append(f"fault near {where}")
    else:
        reason = next((clip(r, 120) for r in exp.reasons if r.strip()), "") or f"the job ended {exp.status}"
        parts = [f"Note: no change was made; {reason}"]
        if where:
            parts.append(f"fault looked for near {where}")
    if comments:
        parts.append("human said: " + "; ".join(comments))
    return clip("; ".join(parts), ADVICE_CHARS)


def headline(exp: Experience) -> str:
    """The stored title, or one derived for a record written before titles were stored."""
    return clip(exp.title, TITLE_CHARS) if exp.title.strip() else lesson_title(exp)


def advice(exp: Experience) -> str:
    """The stored advice, or advice derived for a record written before it was stored."""
    return clip(exp.advice, ADVICE_CHARS) if exp.advice.strip() else lesson_advice(exp)
