"""`[search]`: candidate search — several coder runs from one snapshot, one patch chosen by tests and votes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SearchSettings(BaseModel):
    """How many candidate patches a job makes after its reproduction test, and what they may spend."""

    candidates: int = Field(default=1, ge=1, le=16)
    """Coder runs from the same snapshot (`--candidates`); 1 is the single coder loop."""
    parallel: int = Field(default=2, ge=1, le=16)
    """Candidates made at once, each in its own workspace (`--parallel`)."""
    max_tokens: int = Field(default=400_000, gt=0)
    """Tokens all candidates together may spend: no candidate starts once they are spent."""
    max_minutes: float = Field(default=60.0, gt=0)
    """Minutes of candidate search: no candidate starts after them."""
    stop_early: bool = True
    """No candidate starts once one passes every test and the reviewer approves it."""
    temperatures: list[float] = Field(default_factory=lambda: [0.0, 0.5, 0.8, 1.0], min_length=1)
    """Sampling temperature of each candidate's coder in turn (cycled); the first is the coder's usual one."""
