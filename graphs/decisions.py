"""What a human can decide at a gate."""

from __future__ import annotations

DECISION_ACTIONS = ("approve", "reject", "retry", "edit")
"""A decision is {"action": one of these, "comment": ..., "by": ...} plus, for `edit`, the edited "plan",
"locations" or "patch"."""
