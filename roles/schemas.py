"""The typed answers roles hand in. Field descriptions are what the model reads in the JSON schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Plan(BaseModel):
    kind: Literal["bug", "feature", "refactor"] = Field(description="What the task is.")
    summary: str = Field(description="One or two sentences: what is wrong or wanted, and the likely cause.")
    steps: list[str] = Field(min_length=1, max_length=8, description="Ordered steps the team will take.")
    priority: Literal["low", "normal", "high"] = Field(default="normal", description="How urgent the task is.")


class LocatedCode(BaseModel):
    path: str = Field(description="Repository-relative file path.")
    symbol: str = Field(default="", description="Function or Class.method to change, if known.")
    start_line: int | None = Field(default=None, description="First line of the region to change.")
    end_line: int | None = Field(default=None, description="Last line of the region to change.")
    reason: str = Field(default="", description="One line: why this location.")


class Locations(BaseModel):
    locations: list[LocatedCode] = Field(min_length=1, max_length=10, description="Most likely location first.")


class Reproduction(BaseModel):
    test_files: list[str] = Field(min_length=1, description="Test files you created or changed.")
    test_selectors: list[str] = Field(
        default_factory=list, description="pytest node ids of the new tests, e.g. tests/test_x.py::test_y."
    )
    explanation: str = Field(default="", description="What the test checks and how it fails today.")


class CoderResult(BaseModel):
    summary: str = Field(description="What you changed and why, in two or three sentences.")
    root_cause: str = Field(default="", description="The root cause of the bug (empty for features).")


class Finding(BaseModel):
    file: str = Field(description="File the finding is about.")
    line: int | None = Field(default=None, description="Line in the new version of the file.")
    severity: Literal["info", "minor", "major", "blocker"] = Field(description="How serious it is.")
    message: str = Field(description="What is wrong and what to do instead.")


class Review(BaseModel):
    verdict: Literal["approve", "request_changes"] = Field(description="approve, or request_changes.")
    summary: str = Field(description="One or two sentences on the patch.")
    findings: list[Finding] = Field(default_factory=list, description="Problems found; empty when none.")
