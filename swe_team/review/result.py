"""A finished review: summary, score, findings, the dangerous code it found, what was left out, the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swe_team.review.findings import ReviewFinding

EXIT_DANGEROUS_CODE = 4
"""Exit code of `swe-team review` when the change adds dangerous code the allowlist does not let pass."""


@dataclass
class ReviewResult:
    repo: Path
    described: str
    """What was reviewed: `base...head`, `base...the working tree`, or the diff file."""
    files: int
    diff_lines: int
    summary: str
    score: int
    findings: list[ReviewFinding]
    dangerous_code: list[dict[str, Any]]
    model: dict[str, Any] | None
    """The model that answered (`ModelIdentity`), or None for a review without a model."""
    left_out: dict[str, int] = field(default_factory=dict)
    """Findings not reported, by reason: outside the change, malformed, duplicates, over the cap."""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    """What the reader should know: a check that could not run."""

    @property
    def repo_uri(self) -> str:
        return self.repo.resolve().as_uri() + "/"

    def footer(self) -> str:
        model = self.model or {}
        who = model.get("served_id") or model.get("model") or "no model (deterministic checks only)"
        counted = ", ".join(f"{count} {why.replace('_', ' ')}" for why, count in self.left_out.items() if count)
        left = f"; left out: {counted}" if counted else ""
        return f"{self.described} · {self.files} files · {self.diff_lines} diff lines · model: {who}{left}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "score": self.score,
            "findings": [finding.model_dump() for finding in self.findings],
            "dangerous_code": self.dangerous_code,
            "change": {"reviewed": self.described, "files": self.files, "diff_lines": self.diff_lines},
            "model": self.model,
            "left_out": self.left_out,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }
