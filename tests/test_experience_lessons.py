"""Lessons as prompt text and preference pairs from human decisions."""

from __future__ import annotations

import io
import json

from memory.experience import Experience, HumanDecision, avoid_lessons, export_preferences, format_lessons
from memory.experience.preferences import first_divergence, preference_pairs
from memory.experience.ranking import SearchHit


def hit(exp: Experience, kind: str = "do") -> SearchHit:
    return SearchHit(exp, 1.0, 1.0, kind, "repo")  # type: ignore[arg-type]


def test_format_lessons_is_compact_and_bounded() -> None:
    rejected = Experience(
        repo="r",
        task="speed up report export",
        status="rejected",
        changed_files=["app/export.py"],
        change_summary="cached every query",
        decisions=[HumanDecision(gate="patch", action="reject", comment="no global caches")],
    )
    text = format_lessons([hit(rejected, "avoid")])
    assert "[L1 avoid · rejected · repo] task: speed up report export" in text
    assert (
        "Avoid: cached every query (in app/export.py) — a human rejected it at the patch gate: no global caches" in text
    )
    assert rejected.id in text
    many = [hit(Experience(repo="r", task=f"task {i} " + "x" * 300)) for i in range(20)]
    assert len(format_lessons(many, max_chars=1000)) <= 1000
    assert format_lessons([]) == ""


def test_coder_sees_avoid_lessons_only_for_its_files() -> None:
    avoid = hit(Experience(repo="r", task="t", status="rejected", changed_files=["app/export.py"]), "avoid")
    elsewhere = hit(Experience(repo="r", task="t", status="rejected", changed_files=["app/other.py"]), "avoid")
    good = hit(Experience(repo="r", task="t", status="resolved", changed_files=["app/export.py"]))
    assert avoid_lessons([avoid, elsewhere, good], ["app/export.py"]) == [avoid]


def test_first_divergence_marks_line_and_column() -> None:
    assert first_divergence("abc\ndef", "abc\ndxf") == first_divergence("abc\ndxf", "abc\ndef")
    mark = first_divergence("abc\ndef", "abc\ndxf")
    assert (mark.offset, mark.line, mark.column) == (5, 2, 2)


def test_rejection_pairs_with_the_version_later_approved_at_the_same_gate() -> None:
    exp = Experience(
        repo="r",
        task="fix login",
        decisions=[
            HumanDecision(gate="plan", action="reject", proposal="rewrite auth", comment="too big"),
            HumanDecision(gate="plan", action="comment", comment="smaller please"),
            HumanDecision(gate="plan", action="approve", proposal="patch the validator"),
            HumanDecision(gate="patch", action="edit", proposal="diff A", accepted="diff B"),
            HumanDecision(gate="patch", action="approve", proposal="diff B"),
        ],
    )
    pairs = preference_pairs(exp)
    assert [(p.gate, p.chosen, p.rejected, p.comment) for p in pairs] == [
        ("plan", "patch the validator", "rewrite auth", "too big"),
        ("patch", "diff B", "diff A", ""),
    ]
    assert "task: fix login" in pairs[0].context
    out = io.StringIO()
    assert export_preferences([exp], out) == 2
    first = json.loads(out.getvalue().splitlines()[0])
    assert set(first) >= {"context", "chosen", "rejected", "divergence"}


def test_a_plan_sent_back_with_a_comment_pairs_with_the_plan_later_approved() -> None:
    exp = Experience(
        repo="r",
        task="fix login",
        decisions=[
            HumanDecision(gate="plan", action="retry", proposal="rewrite auth", comment="smaller please"),
            HumanDecision(gate="plan", action="approve", proposal="patch the validator"),
        ],
    )
    assert [(p.chosen, p.rejected, p.comment) for p in preference_pairs(exp)] == [
        ("patch the validator", "rewrite auth", "smaller please")
    ]
