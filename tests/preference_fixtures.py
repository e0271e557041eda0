"""The example job with a patch of three actions (the tester's new test file, the coder's fix, the coder's note on
`item_count`), and the experience store's lessons read back."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from harness.example import resolved_steps
from memory.experience import Experience
from memory.experience.sqlite_store import SqliteExperienceStore

COUNT_LINE = "        return sum(item.quantity for item in self.items)\n"
TEAM_NOTE = "        return sum(item.quantity for item in self.items)  # counts units\n"
PERSON_NOTE = "        return sum(item.quantity for item in self.items)  # units, not lines\n"
FIRST_CODER_STEP = 6
FIX_SEARCH = "        return min(item.price for item in self.items)"


def note_step() -> dict[str, Any]:
    """The coder's second edit: a comment on item_count (the action a person corrects)."""
    arguments = {"path": "shop/cart.py", "search": COUNT_LINE.rstrip("\n"), "replace": TEAM_NOTE.rstrip("\n")}
    return {
        "expect": {"role": "coder"},
        "response": {"tool_calls": [{"name": "search_replace", "arguments": arguments}]},
    }


def three_action_steps(*after_gate: str) -> list[dict[str, Any]]:
    """The example's steps with the coder's second edit, then, for each text in `after_gate`, a reviewer approval
    of the patch as the person left it (whose prompt must contain that text)."""
    steps = resolved_steps()
    steps.insert(FIRST_CODER_STEP + 1, note_step())
    reviewer = steps[-1]
    for text in after_gate:
        again = copy.deepcopy(reviewer)
        again["expect"]["prompt_contains"] = [text]
        steps.append(again)
    return steps


def lessons(home: Path) -> list[Experience]:
    store = SqliteExperienceStore(str(home / "experience.sqlite"))
    try:
        return list(store.iter_all())
    finally:
        store.close()
