"""A review finding, duplicates merged into one, the cap on how many a review reports, and the review's score."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["info", "minor", "major", "critical", "blocker"]
SEVERITIES: tuple[Severity, ...] = ("info", "minor", "major", "critical", "blocker")
SCORE_PENALTY = {"info": 0, "minor": 3, "major": 10, "critical": 25, "blocker": 40}
"""Points a finding takes off the score of 100, times its confidence."""


class ReviewFinding(BaseModel):
    """One problem on the lines a change touches."""

    file: str = Field(description="Repository-relative path of the file, as in the diff.")
    line: int = Field(ge=1, description="First line of the problem in the new version of the file.")
    end_line: int = Field(ge=1, description="Last line of the problem (the same as line for one line).")
    severity: Severity = Field(description="info, minor, major, critical or blocker.")
    category: str = Field(
        description="One word: correctness, null-safety, concurrency, resource-leak, error-handling, security, "
        "secrets, performance, tests or maintainability."
    )
    title: str = Field(description="The problem in a few words.")
    body: str = Field(description="What goes wrong, when, and why, in one to three sentences.")
    suggestion: str = Field(default="", description="The change that fixes it (code or one sentence).")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure you are, from 0 to 1.")
    sources: list[str] = Field(default_factory=list, description="Which checks found it: model, bandit, ...")
    rule: str = Field(default="", description="The rule id of a deterministic check (B602, eval, ...).")

    def rank(self) -> tuple[int, float]:
        return SEVERITIES.index(self.severity), self.confidence


def _family(category: str) -> str:
    return "security" if category in ("security", "secrets") else category


def _same_problem(first: ReviewFinding, second: ReviewFinding) -> bool:
    """Two findings of the same kind on one file, starting on the same line (or overlapping, when a check's rule
    found one): Bandit's B602 and the dangerous-code check's subprocess-shell, or a model's "command injection"
    on that line, are one problem; two model findings in one long range are not."""
    if first.file != second.file or first.line > second.end_line or second.line > first.end_line:
        return False
    same_start = first.line == second.line
    return _family(first.category) == _family(second.category) and (same_start or bool(first.rule or second.rule))


def _merged(kept: ReviewFinding, other: ReviewFinding) -> ReviewFinding:
    best, rest = (kept, other) if kept.rank() >= other.rank() else (other, kept)
    return best.model_copy(
        update={
            "sources": sorted({*best.sources, *rest.sources}),
            "suggestion": best.suggestion or rest.suggestion,
            "rule": best.rule or rest.rule,
            "confidence": max(best.confidence, rest.confidence),
        }
    )


def merge_duplicates(findings: list[ReviewFinding]) -> list[ReviewFinding]:
    """One finding per problem: the most severe (then most confident) of each group, naming every source."""
    merged: list[ReviewFinding] = []
    for finding in findings:
        for index, kept in enumerate(merged):
            if _same_problem(kept, finding):
                merged[index] = _merged(kept, finding)
                break
        else:
            merged.append(finding)
    return merged


def ordered(findings: list[ReviewFinding]) -> list[ReviewFinding]:
    """Most severe first, then most confident, then by place."""
    return sorted(findings, key=lambda f: (-SEVERITIES.index(f.severity), -f.confidence, f.file, f.line))


def capped(findings: list[ReviewFinding], limit: int) -> tuple[list[ReviewFinding], int]:
    """The `limit` findings that matter most, and how many were left out."""
    kept = ordered(findings)
    return kept[:limit], max(0, len(kept) - limit)


def score(findings: list[ReviewFinding]) -> int:
    """100 for a change with nothing to say; each finding takes off its severity's points times its confidence."""
    penalty = sum(SCORE_PENALTY[finding.severity] * finding.confidence for finding in findings)
    return max(0, round(100 - penalty))
