"""Feedback at the patch gate, action by action, in a real pseudo-terminal: a person keeps two of the team's three
actions and edits the third, then edits the whole patch by hand; both answers come back as preference records
(`memory export-preferences --format actionrl`, and `dpo`), and the actions are in the trajectory and the report."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, git
from harness.terminal import screen_text, spawn
from memory.experience.preferences import export_action_preferences
from tests.chat_fixtures import chat_server, editor_script, finish, gate
from tests.job_fixtures import job_ids
from tests.preference_fixtures import lessons, three_action_steps

PERSON_FIX = 'default=Decimal("0.00")'
EDITOR_CODE = (
    "text = text.replace('# counts units', '# units, not lines')"
    ".replace('default=Decimal(\"0\")', 'default=Decimal(\"0.00\")')"
)
"""At `keep 2` → `edit` the editor holds action 3 only (the note); at `edit` it holds the whole diff (the fix)."""


def exported_actionrl(folder: Path, env: dict[str, str]) -> tuple[list[dict[str, Any]], str]:
    out = folder / "actionrl.jsonl"
    result = swe_team("memory", "export-preferences", "--format", "actionrl", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in out.read_text().splitlines()], result.stderr


def test_keep_two_actions_edit_the_third_then_edit_the_patch_by_hand(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    with chat_server(three_action_steps("units, not lines", PERSON_FIX)) as server:
        env = cli_env(home, server.base_url, EDITOR=editor_script(tmp_path, EDITOR_CODE))
        child = spawn(run_args(repo, "--approve", "patch"), env)
        gate(child, "patch")
        shown = screen_text(child)
        assert "1. create_file (tester)" in shown and "3. search_replace (coder)" in shown
        assert "+        return sum(item.quantity for item in self.items)  # counts units" in shown
        child.sendline("keep 2")
        child.expect_exact("action 3> ")
        child.sendline("edit")
        gate(child, "patch")
        assert "3. search_replace (developer)" in screen_text(child).rpartition("patch gate · job")[2]
        child.sendline("edit")
        gate(child, "patch")
        child.sendline("approve")
        gate(child, "final")
        child.sendline("yes")
        finish(child, server)
    (job_id,) = job_ids(home)
    assert PERSON_FIX in git(repo, "show", f"swe-team/{job_id}:shop/cart.py")
    folder = home / "jobs" / job_id
    events = [json.loads(line) for line in (folder / "trajectory.jsonl").read_text().splitlines()]
    logged = [(e["index"], e["role"], e["tool"]) for e in events if e["event"] == "edit_action"]
    assert logged == [(0, "tester", "create_file"), (1, "coder", "search_replace"), (2, "coder", "search_replace")]
    report = (folder / "report.md").read_text()
    assert "## Actions\n1. `create_file` (tester) create tests/test_empty_cart.py" in report
    assert "2. `edit_lines` (developer)" in report

    actionrl, said = exported_actionrl(tmp_path, env)
    assert "exported 2 actionrl record(s); skipped 1" in said, "the last approve kept every action: nothing to prefer"
    corrected, by_hand = actionrl
    assert (corrected["answer"], corrected["divergence"]) == ("correct", 2)
    assert [a["tool"] for a in corrected["prefix"]] == ["create_file", "search_replace"]
    assert "# units, not lines" in corrected["chosen"] and "# counts units" in corrected["rejected"]
    assert "def item_count" in corrected["prompt"] and "2. {" in corrected["prompt"]
    assert (by_hand["answer"], by_hand["divergence"]) == ("hand_edit", 1)
    assert by_hand["chosen_action"]["tool"] == "edit_lines"
    assert PERSON_FIX in by_hand["chosen_action"]["arguments"]["edits"][0]["after"]
    assert 'default=Decimal(\\"0\\")' in by_hand["rejected"], "the team's fix, the first action the person changed"

    dpo = io.StringIO()
    assert export_action_preferences(lessons(home), dpo, "dpo") == (2, 1)
    first = json.loads(dpo.getvalue().splitlines()[0])
    assert set(first) >= {"prompt", "chosen", "rejected"}
    assert len(first["chosen"].splitlines()) == 4 and first["chosen"].endswith("(end of patch)")
    assert "# units, not lines" in first["chosen"] and "# counts units" in first["rejected"]
