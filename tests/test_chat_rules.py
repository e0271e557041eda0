"""The rules a developer relies on at gates: which gate asks, what a typed line means, how an edited plan reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from core.state import TeamState
from graphs.gates import gate_asks, parse_policy
from swe_team.approval import NeedsHuman, PendingDecisionApprover
from swe_team.chat.commands import parse_command
from swe_team.chat.editor import EditRejected, checked_plan, plan_to_markdown
from swe_team.chat.session import ChatApprover

PLAN = {"kind": "bug", "summary": "min() of nothing", "steps": ["find it", "fix it"], "priority": "normal"}
PAYLOAD = {"gate": "plan", "job_id": "j1", "role": "planner", "evidence": {"task": "fix it", "plan": PLAN}}


def test_policies_select_gates_and_patch_on_fail_asks_only_when_something_failed() -> None:
    assert parse_policy("auto") == [] and parse_policy("all") == ["plan", "locations", "patch", "final"]
    assert parse_policy("plan, patch") == ["plan", "patch"]
    with pytest.raises(ValueError, match="unknown gate"):
        parse_policy("plan,deploy")
    review = {"verdict": "approve", "summary": "fine"}
    good = {"approve": ["patch-on-fail"], "test_report": {"passed": True}, "review": review}
    assert not gate_asks("patch", TeamState.model_validate(good))
    assert gate_asks("patch", TeamState.model_validate({**good, "test_report": {"passed": False}}))
    assert gate_asks("patch", TeamState.model_validate({**good, "review": {**review, "verdict": "request_changes"}}))


def test_writing_the_branch_asks_even_under_auto_unless_yes_destructive() -> None:
    auto = TeamState(approve=[])
    assert gate_asks("final", auto, branch_pending=True)
    assert not gate_asks("final", TeamState(yes_destructive=True), branch_pending=True)
    assert not gate_asks("final", auto, branch_pending=False), "nothing to write, nothing to ask"
    assert gate_asks("final", TeamState(approve=["final"], yes_destructive=True), branch_pending=True)


@pytest.mark.parametrize(
    ("line", "verb", "text"),
    [
        ("approve", "approve", ""), ("/approve looks right", "approve", "looks right"), ("y", "approve", ""),
        ("reject too risky", "reject", "too risky"), ("/reject", "reject", ""), ("edit", "edit", ""),
        ("retry use a guard clause", "retry", "use a guard clause"), ("ask why here?", "ask", "why here?"),
        ("why not in discount()?", "ask", "why not in discount()?"), ("/help", "help", ""),
        ("please keep the API", "comment", "please keep the API"), ("/frobnicate", "help", ""),
        ("hmm", "help", ""), ("", "help", ""), ("quit", "quit", ""),
    ],
)
def test_typed_lines_mean_what_a_developer_expects(line: str, verb: str, text: str) -> None:
    command = parse_command(line)
    assert (command.verb, command.text) == (verb, text)


def test_an_edited_markdown_plan_becomes_the_plan_and_a_broken_one_is_refused() -> None:
    text = plan_to_markdown(PLAN).replace("2. fix it", "2. fix it with a default\n3. run the suite")
    assert checked_plan(text, PLAN)["steps"] == ["find it", "fix it with a default", "run the suite"]
    assert checked_plan(json.dumps({**PLAN, "steps": ["only"]}), PLAN)["steps"] == ["only"]
    with pytest.raises(EditRejected, match="Steps"):
        checked_plan("kind: bug\nno headings here", PLAN)
    with pytest.raises(EditRejected, match="kind"):
        checked_plan(plan_to_markdown({**PLAN, "kind": "chore"}), PLAN)


def test_unknown_input_gets_help_and_the_chat_goes_on_to_a_decision() -> None:
    lines = iter(["", "/nope", "x", "help", "reject", "wrong approach"])
    console = Console(record=True, width=120)
    decision = ChatApprover(console, read_line=lambda prompt: next(lines)).ask(PAYLOAD)
    assert decision["action"] == "reject" and decision["comment"] == "wrong approach"
    shown = console.export_text()
    assert "unknown command /nope" in shown and "ask <question>" in shown and "find it" in shown


def test_closing_the_chat_leaves_the_job_waiting() -> None:
    def closed(prompt: str) -> str:
        raise EOFError

    with pytest.raises(NeedsHuman, match="waits at the plan gate"):
        ChatApprover(Console(record=True), read_line=closed).ask(PAYLOAD)


def test_a_recorded_decision_answers_its_gate_once(tmp_path: Path) -> None:
    class Fallback:
        def ask(self, payload: dict[str, Any], context: Any = None) -> dict[str, Any]:
            return {"action": "retry", "comment": "from the fallback"}

    entry = {"gate": "plan", "decision": {"action": "approve", "comment": "ok"}}
    (tmp_path / "decision.json").write_text(json.dumps(entry))
    approver = PendingDecisionApprover(tmp_path, Fallback())
    assert approver.ask(PAYLOAD)["comment"] == "ok"
    assert approver.ask(PAYLOAD)["comment"] == "from the fallback"


def test_pick_goes_on_with_the_runner_up_and_picking_the_winner_approves(tmp_path: Path) -> None:
    runner_up = tmp_path / "c1.diff"
    runner_up.write_text("--- a/shop/cart.py\n+++ b/shop/cart.py\n@@ -1 +1 @@\n-old\n+new\n")
    finalists = [
        {"id": "c2", "standing": "winner", "diff": "(the winner's diff)", "patch_file": str(tmp_path / "c2.diff")},
        {"id": "c1", "standing": "runner-up", "diff": "(shown cut)", "patch_file": str(runner_up)},
    ]
    payload = {"gate": "patch", "job_id": "j1", "role": "coder", "evidence": {"candidates": {"finalists": finalists}}}
    lines = iter(["pick c9", "pick c1"])
    console = Console(record=True, width=160)
    decision = ChatApprover(console, read_line=lambda prompt: next(lines)).ask(payload)
    assert decision["action"] == "edit" and decision["patch"] == runner_up.read_text()
    assert "pick one of the finalists: c2, c1" in console.export_text()
    lines = iter(["pick c2"])
    again = ChatApprover(Console(record=True), read_line=lambda prompt: next(lines)).ask(payload)
    assert again["action"] == "approve"
    lines = iter(["pick c1", "quit"])
    with pytest.raises(NeedsHuman):
        ChatApprover(Console(record=True), read_line=lambda prompt: next(lines)).ask(PAYLOAD)
