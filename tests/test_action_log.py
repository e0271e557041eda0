"""The action log without a job: how the state keeps the sequence, how actions replay, where two sequences part,
how a person's edit of one action reads back, and how a retry is paired with what the gate settled later."""

from __future__ import annotations

import pytest

from core.action_log import (
    ActionDoesNotApply,
    LoggedAction,
    cut_at,
    divergence_point,
    logged,
    merge_actions,
    replay,
)
from core.edit_actions import EditAction
from core.state import TeamState
from memory.experience.action_preferences import make_preference, settled
from swe_team.chat.actions import action_editor_text, parse_action_edit
from swe_team.chat.editor import EditRejected
from tools.actions.edits import file_edits

BASE = {"cart.py": "def total(items):\n    return sum(items)\n\n\ndef count(items):\n    return len(items)\n"}


def action(path: str, before: str, after: str, tool: str = "search_replace") -> EditAction:
    return EditAction(tool=tool, arguments={"path": path}, edits=file_edits(path, before, after), summary=tool)


def three_actions() -> list[LoggedAction]:
    first = action("cart.py", BASE["cart.py"], BASE["cart.py"].replace("sum(items)", "sum(items, 0)"))
    files = replay(BASE, [first])
    second = action("cart.py", files["cart.py"], files["cart.py"].replace("len(items)", "len(list(items))"))
    third = action("test_cart.py", "", "def test_total():\n    assert True\n", tool="create_file")
    return logged([first, second, third], 0, "coder")


def test_the_state_appends_a_roles_actions_and_a_correction_replaces_the_tail() -> None:
    actions = three_actions()
    state = TeamState(actions=merge_actions([], [a.model_dump() for a in actions]))
    assert [a.index for a in state.actions] == [0, 1, 2]
    fix = logged([action("cart.py", "x\n", "y\n")], 1, "developer")
    corrected = merge_actions(state.actions, [a.model_dump() for a in [*actions[:1], *fix]])
    assert [(a["index"], a["role"]) for a in corrected] == [(0, "coder"), (1, "developer")]
    assert merge_actions(state.actions, [cut_at(2)]) == state.actions[:2]
    assert merge_actions(state.actions, []) == state.actions


def test_actions_replay_on_the_files_they_were_made_on_and_refuse_changed_ones() -> None:
    files = replay(BASE, three_actions())
    assert "sum(items, 0)" in files["cart.py"] and "len(list(items))" in files["cart.py"]
    assert files["test_cart.py"].startswith("def test_total")
    changed = {"cart.py": BASE["cart.py"].replace("return sum(items)", "return 0")}
    with pytest.raises(ActionDoesNotApply, match="no longer hold the text"):
        replay(changed, three_actions()[:1])


def test_the_divergence_point_is_the_first_action_with_other_edits() -> None:
    actions = three_actions()
    other = logged([action("cart.py", "a\n", "b\n")], 1, "developer")
    assert divergence_point(actions, actions) is None
    assert divergence_point([*actions[:1], *other], actions) == 1
    assert divergence_point(actions[:2], actions) == 2, "a dropped tail parts where the shorter one ends"


def test_one_action_edited_in_the_editor_reads_back_as_its_correction() -> None:
    second = three_actions()[1]
    text = action_editor_text(second, 2)
    assert "@@@ edit 1 of 1: cart.py, lines 6-6 before:\n    return len(items)\n" in text
    fixed = parse_action_edit(text.replace("len(list(items))", "sum(1 for _ in items)"), second)
    assert fixed is not None and fixed.tool == "search_replace"
    assert fixed.arguments == {
        "path": "cart.py",
        "search": "    return len(items)\n",
        "replace": "    return sum(1 for _ in items)\n",
    }
    assert parse_action_edit(text.split("@@@ edit")[0], second) is None, "every block deleted: the action is dropped"
    with pytest.raises(EditRejected, match="keep each edit"):
        parse_action_edit(text.replace("@@@ after (your version):", "after:"), second)


def test_a_retry_is_paired_with_what_the_same_gate_settled_next() -> None:
    actions = three_actions()
    redone = [*actions[:2], *logged([action("test_cart.py", "", "def test_count():\n    pass\n")], 2, "coder")]
    retry = make_preference("patch", "retry", "task", {}, actions, None, comment="test count, not total")
    accepted = make_preference("patch", "accept", "task", {}, redone, redone)
    rejected = make_preference("patch", "reject", "task", {}, redone, None)
    records = settled([retry, accepted, rejected])
    assert (records[0].divergence, records[0].is_pair) == (2, True)
    assert [r.is_pair for r in records[1:]] == [False, False], "an accept prefers nothing; a rejection has no chosen"


def test_swe_team_trajectory_reads_an_edit_action_as_one_numbered_line() -> None:
    from swe_team.cli.trajectory import Conversation

    event = {"event": "edit_action", "role": "coder", "index": 1, "tool": "search_replace", "summary": "fix total"}
    assert list(Conversation(False).blocks(event)) == ["coder · action 2: search_replace fix total"]


def test_an_inserted_block_is_shown_as_an_insertion_and_its_edit_reads_back() -> None:
    text = BASE["cart.py"]
    insertion = action("cart.py", text, text.replace("\n\ndef count", "\n# counting\n\ndef count"))
    [edit] = insertion.edits
    assert edit.end_line < edit.start_line, "an insertion is an empty range"
    shown = action_editor_text(insertion, 1)
    assert f"@@@ edit 1 of 1: cart.py, new lines before line {edit.start_line} (no old text):\n@@@ after" in shown
    fixed = parse_action_edit(shown.replace("# counting", "# how many"), insertion)
    assert fixed is not None and "# how many\n" in replay(BASE, [fixed])["cart.py"]
