"""One lesson as a Markdown document, for `memory show`: title, advice, facts, then the evidence behind it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from memory.experience.ranking import lesson_kind
from memory.experience.record import Experience, HumanDecision
from memory.experience.summary import advice, headline

PROPOSAL_LINES = 40
ACTION_WORDS = {
    "approve": "approved",
    "reject": "rejected",
    "retry": "sent back with a comment",
    "edit": "edited",
    "comment": "commented",
}


def fenced(text: str, language: str = "") -> str:
    """`text` in a code fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _cell(text: str) -> str:
    return " ".join(text.split())


def _proposal(decision: HumanDecision) -> str:
    text = decision.accepted or decision.proposal
    if not text.strip():
        return ""
    lines = text.rstrip().splitlines()
    shown = "\n".join(lines[:PROPOSAL_LINES])
    more = len(lines) - PROPOSAL_LINES
    language = "diff" if decision.gate in ("patch", "final") else "json" if text.lstrip()[:1] in "[{" else ""
    label = "the developer's version" if decision.accepted else "what was shown"
    tail = f"\n\n… {more} more line(s); `memory show --json` has all of it" if more > 0 else ""
    return f"{label}:\n\n{fenced(shown, language)}{tail}"


def _decision(decision: HumanDecision) -> str:
    action = ACTION_WORDS.get(decision.action, decision.action)
    head = f"### {decision.gate} gate: {action} ({_when(decision.at)})"
    parts = [head]
    if decision.comment:
        parts.append(_quoted(decision.comment))
    if proposal := _proposal(decision):
        parts.append(proposal)
    return "\n\n".join(parts)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {_cell(item)}" for item in items)


def _section(title: str, body: str) -> str:
    return f"## {title}\n\n{body}" if body.strip() else ""


def lesson_markdown(exp: Experience) -> str:
    """The whole lesson as Markdown; long proposals are cut to PROPOSAL_LINES lines."""
    outcome = exp.status + (", approved by a human" if exp.status == "resolved" and exp.human_approved else "")
    facts = [
        ("lesson", f"`{exp.id}` ({lesson_kind(exp)})"),
        ("outcome", outcome),
        ("repository", exp.repo),
        ("job", f"`{exp.job_id}`" if exp.job_id else ""),
        ("kind", exp.classification.get("kind", exp.kind)),
        ("finished", _when(exp.finished_at)),
        ("cost", f"{exp.cost.tokens:,} tokens · {exp.cost.seconds:.0f} s" if exp.cost.tokens else ""),
    ]
    listed = "\n".join(f"- **{name}:** {_cell(value)}" for name, value in facts if value)
    where = [f"`{s}`" for s in exp.localized_symbols] or [f"`{f}`" for f in exp.localized_files]
    changed = _cell(exp.change_summary)
    if exp.changed_files:
        changed = (changed + "\n\n" if changed else "") + _bullets([f"`{f}`" for f in exp.changed_files])
    sections = [
        f"# {headline(exp)}",
        advice(exp),
        listed,
        _section("Task", _quoted(exp.task)),
        _section("Why it ended so", _bullets(exp.reasons)),
        _section("Where the fault was", _bullets(where)),
        _section("What changed", changed),
        _section("Tests", _cell(exp.test_outcome)),
        _section("Reviewer", _bullets(exp.review_objections)),
        _section("Decisions at gates", "\n\n".join(_decision(d) for d in exp.decisions)),
    ]
    return "\n\n".join(part for part in sections if part.strip()) + "\n"
