"""`[ci]` and `[review]`: CI mode's diagnosis threshold, and what `swe-team review` and the dangerous-code check
report."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


class CiSettings(BaseModel):
    """CI mode: `swe-team ci diagnose` and `ci regress`."""

    confidence_threshold: float = Field(default=0.85, ge=0.0, le=1.0)
    """A diagnosis the model is less sure of than this goes to a person: exit code 3 and a job waiting in
    `swe-team jobs --waiting`."""


DANGEROUS_CODE_RULES = (
    "eval",
    "exec",
    "os-system",
    "subprocess-shell",
    "pickle-loads",
    "yaml-load",
    "tls-verify-off",
)
"""The kinds of added code the dangerous-code check reports (tools/dangerous_code.py)."""


class ReviewSettings(BaseModel):
    """`swe-team review`, and the dangerous-code check on every patch the team writes."""

    max_findings: int = Field(default=25, ge=1)
    """The most findings a review reports: the most severe and most confident are kept."""
    dangerous_code_allow: list[str] = Field(default_factory=list)
    """Added code the dangerous-code check lets pass: `RULE` anywhere or `PATH_GLOB:RULE` (`scripts/*.py:exec`);
    rules: eval, exec, os-system, subprocess-shell, pickle-loads, yaml-load, tls-verify-off, or `*` for all."""

    @field_validator("dangerous_code_allow")
    @classmethod
    def _known_rules(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            rule = entry.rpartition(":")[2].strip()
            if rule != "*" and rule not in DANGEROUS_CODE_RULES:
                raise ValueError(f"{entry!r} names no rule; use one of {', '.join(DANGEROUS_CODE_RULES)} or *")
        return entries
