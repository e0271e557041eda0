"""The typed answers roles hand in. Field descriptions are what the model reads in the JSON schema.

A plan, a location and a review are state values as they are (`core.state`); the others become state values
once the role has checked them against the workspace.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.state import Location


class Locations(BaseModel):
    locations: list[Location] = Field(min_length=1, max_length=10, description="Most likely location first.")


class Reproduction(BaseModel):
    test_files: list[str] = Field(min_length=1, description="Test files you created or changed.")
    test_selectors: list[str] = Field(
        default_factory=list, description="pytest node ids of the new tests, e.g. tests/test_x.py::test_y."
    )
    explanation: str = Field(default="", description="What the test checks and how it fails today.")


class CoderResult(BaseModel):
    summary: str = Field(description="What you changed and why, in two or three sentences.")
    root_cause: str = Field(default="", description="The root cause of the bug (empty for features).")
