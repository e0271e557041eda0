"""`keep K` in the chat without a job: what each answer at `action K+1>` sends, and what it refuses to send."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from core.action_log import logged
from core.edit_actions import EditAction
from swe_team.chat.actions import keep_and_change
from tools.actions.edits import file_edits

ACTIONS = [
    action.model_dump(mode="json")
    for action in logged(
        [
            EditAction(tool="create_file", edits=file_edits("t.py", "", "def test(): ...\n"), summary="create t.py"),
            EditAction(tool="search_replace", edits=file_edits("a.py", "x = 1\n", "x = 2\n"), summary="x is 2"),
        ],
        0,
        "coder",
    )
]


def typed(text: str, *lines: str) -> tuple[dict[str, Any] | None, str]:
    """The decision `keep TEXT` sends when `lines` are typed at the prompts after it, and what the screen said."""
    console = Console(record=True, width=200, color_system=None)
    answers = list(lines)

    def read_line(prompt: str) -> str:
        if not answers:
            raise EOFError
        return answers.pop(0)

    decision = keep_and_change(console, read_line, ACTIONS, text)
    assert answers == [], f"lines never read: {answers}"
    return decision, console.export_text()


def test_keep_all_approves_and_a_count_out_of_range_sends_nothing() -> None:
    assert typed("2")[0] == {"action": "approve", "comment": "kept all 2 action(s)"}
    assert typed("all")[0] == {"action": "approve", "comment": "kept all 2 action(s)"}
    decision, said = typed("")
    assert decision is None and "keep how many? a number from 0 to 2" in said
    assert typed("7")[0] is None


def test_drop_keeps_the_first_k_and_is_refused_when_it_would_leave_nothing(tmp_path: Path) -> None:
    assert typed("1", "drop")[0] == {"action": "edit", "kept": 1, "correction": None}
    decision, said = typed("0", "drop", "back")
    assert decision is None and "dropping every action leaves no patch" in said and "back at the gate" in said

    diff = tmp_path / "fix.diff"
    diff.write_text("--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 3\n")
    decision, said = typed("1", "replace nowhere.diff", f"replace {diff}")
    assert "no file 'nowhere.diff'" in said
    assert decision == {"action": "edit", "kept": 1, "correction_patch": diff.read_text()}
    assert typed("1")[0] is None, "a closed chat at action 2> sends nothing"
