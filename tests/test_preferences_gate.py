"""The patch gate's `keep K` answers applied to a real workspace without the graph: a replacement diff for action
K+1, the refusals that keep the gate open with the workspace as it was, and no record from a patch the action log
does not make."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from core.action_log import logged
from core.edit_actions import EditAction
from core.state import Snapshot, TeamState
from graphs.action_feedback import PREFERENCES_DIR, remember_answer
from graphs.context import TeamContext
from graphs.gates import apply_decision
from harness.team_context import early_state, team_context
from tests.preference_fixtures import COUNT_LINE, FIX_SEARCH, TEAM_NOTE
from tools.edit import SearchReplaceArgs, search_replace
from tools.files import CreateFileArgs, create_file

NO_SERVER = "http://127.0.0.1:9/v1"
FIX = '        return min((item.price for item in self.items), default=Decimal("0"))'
PERSON_NOTE = COUNT_LINE.rstrip("\n") + "  # units in the cart"


def three_actions(tmp_path: Path) -> tuple[TeamContext, TeamState]:
    """The shop in a workspace after the tester's test file and the coder's two edits, made by the real tools."""
    context = team_context(tmp_path, NO_SERVER)
    base = context.workspace.snapshot("base")
    made: list[EditAction] = []
    context.tools.action_listeners.append(made.append)
    create_file(context.tools, CreateFileArgs(path="tests/test_empty.py", content="def test_empty():\n    pass\n"))
    search_replace(context.tools, SearchReplaceArgs(path="shop/cart.py", search=FIX_SEARCH, replace=FIX))
    note = SearchReplaceArgs(path="shop/cart.py", search=COUNT_LINE.rstrip("\n"), replace=TEAM_NOTE.rstrip("\n"))
    search_replace(context.tools, note)
    after = context.workspace.snapshot("coder")
    snapshots = [Snapshot(node="intake", id=base), Snapshot(node="coder", id=after)]
    return context, early_state(context, snapshots=snapshots, actions=logged(made, 0, "coder"))


def answer(context: TeamContext, state: TeamState, decision: dict[str, Any]) -> dict[str, Any]:
    update = apply_decision("patch", decision, state, context, proposal=context.workspace.diff())
    return remember_answer("patch", decision, state, context, update)


def test_a_diff_from_a_file_replaces_the_third_action_and_is_stored_as_the_correction(tmp_path: Path) -> None:
    context, state = three_actions(tmp_path)
    cart = context.workspace.read_file("shop/cart.py")
    kept = cart.replace(TEAM_NOTE, COUNT_LINE)
    wanted = kept.replace(COUNT_LINE, PERSON_NOTE + "\n")
    diff = "".join(
        difflib.unified_diff(kept.splitlines(True), wanted.splitlines(True), "a/shop/cart.py", "b/shop/cart.py")
    )
    update = answer(context, state, {"action": "edit", "kept": 2, "correction_patch": diff})
    assert update["gate_outcome"]["action"] == "edited", update["decisions"]
    assert context.workspace.read_file("shop/cart.py") == wanted
    assert context.workspace.exists("tests/test_empty.py"), "the kept actions are there"
    assert [(a["tool"], a["role"]) for a in update["actions"]][2] == ("search_replace", "developer")
    (stored,) = (context.job_dir / PREFERENCES_DIR).glob("*.json")
    record = json.loads(stored.read_text())
    assert (record["answer"], record["divergence"]) == ("correct", 2)
    assert record["chosen"][2]["arguments"]["replace"] == PERSON_NOTE + "\n"
    before = record["files_before"]
    assert FIX_SEARCH in before["shop/cart.py"] and before["tests/test_empty.py"] == "", "as at the base commit"


def test_a_correction_that_cannot_be_used_keeps_the_gate_open_and_the_workspace_as_it_was(tmp_path: Path) -> None:
    context, state = three_actions(tmp_path)
    diff_before = context.workspace.diff()
    stale = EditAction(tool="search_replace", edits=[state.actions[2].edits[0].model_copy(update={"before": "x\n"})])
    update = answer(context, state, {"action": "edit", "kept": 2, "correction": stale.model_dump()})
    assert update["gate_outcome"]["action"] == "ask_again"
    assert "no longer hold the text" in update["decisions"][0]["changed"]
    assert context.workspace.diff() == diff_before

    context.workspace.write_file("shop/pricing.py", "RATE = 1\n")  # as a shell command would, outside the log
    update = answer(context, state, {"action": "edit", "kept": 2, "correction": None})
    assert update["gate_outcome"]["action"] == "ask_again"
    assert "no logged action made (shop/pricing.py)" in update["decisions"][0]["changed"]
    assert context.workspace.read_file("shop/pricing.py") == "RATE = 1\n"
    assert not (context.job_dir / PREFERENCES_DIR).exists(), "an answer that settled nothing is no preference"

    answer(context, state, {"action": "approve"})
    assert not (context.job_dir / PREFERENCES_DIR).exists(), "the team's side would lack the unlogged change"
    skipped = context.trajectory.events()[-1]
    assert (skipped["event"], skipped["unlogged"]) == ("preference_skipped", ["shop/pricing.py"])
