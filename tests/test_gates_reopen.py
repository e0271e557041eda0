"""A model error on the work a comment, retry or edit at a gate sent on keeps that gate open, says why in a line
or two, and leaves the work as the developer last saw it; `help` shows its arguments as typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from core.errors import ModelError
from core.model.scripted_server import ScriptedModelServer
from core.state import Decision, TeamState
from graphs.back_to_gate import back_to_gate
from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, resolved_steps
from harness.terminal import screen_text, spawn
from swe_team.approval import NeedsHuman, NoHumanApprover
from swe_team.chat.session import ChatApprover
from swe_team.runner import JobRequest
from tests.chat_fixtures import chat_server, decisions, editor_script, expecting, finish, gate
from tests.gate_fixtures import ScriptedChat, flat, in_process_settings, run_in_process
from tests.job_fixtures import assert_script_done, job_ids

COMMENT = "please keep the public API of Cart unchanged"
FIX_LINE = '+        return min((item.price for item in self.items), default=Decimal("0"))'
HALF_DONE = "  # half-done"
EDITED_STEP = "Run the whole test suite twice"


def test_a_comment_the_model_server_then_refuses_keeps_the_plan_gate_open(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = resolved_steps()
    refused = {"expect": {"role": "planner", "prompt_contains": [COMMENT]}, "status": 400}
    steps[1:1] = [refused, expecting(steps[0], COMMENT)]
    home = tmp_path / "home"
    with chat_server(steps) as server:
        env = cli_env(home, server.base_url)
        child = spawn(run_args(repo, "--approve", "plan", "--yes-destructive"), env)
        gate(child, "plan")
        child.sendline(COMMENT)
        child.expect_exact("the gate is still open")
        gate(child, "plan")
        after_comment = flat(screen_text(child).split(COMMENT, 1)[1])
        assert "HTTP 400" in after_comment and server.base_url in after_comment
        assert "unresolved" not in after_comment and "finalize" not in after_comment
        child.sendline(f"retry {COMMENT}")
        gate(child, "plan")
        child.sendline("approve")
        finish(child, server)
    (job_id,) = job_ids(home)
    shown = json.loads(swe_team("show", job_id, "--json", env=env).stdout)
    assert shown["status"] == "resolved"
    assert decisions(json.dumps(shown)) == [("plan", "retry"), ("plan", "retry"), ("plan", "approve")]
    assert "model error after your comment at the plan gate" in shown["report"]


def test_a_retried_coder_whose_server_fails_leaves_the_patch_as_approved_and_the_gate_open(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    half_edit = {
        "expect": {"role": "coder", "prompt_contains": [COMMENT]},
        "response": {
            "tool_calls": [
                {
                    "name": "search_replace",
                    "arguments": {"path": "shop/cart.py", "search": FIX_LINE[1:], "replace": FIX_LINE[1:] + HALF_DONE},
                }
            ]
        },
    }
    steps = [*resolved_steps(), half_edit, {"expect": {"role": "coder"}, "status": 500}]
    chat = ScriptedChat([("patch", f"retry {COMMENT}"), ("patch", "diff"), ("patch", "approve")])
    with ScriptedModelServer({"context_window": 16384, "steps": steps}) as server:
        settings = in_process_settings(tmp_path, server.base_url)
        request = JobRequest(repo=repo, task=(repo / "ISSUE.md").read_text(), approve="patch", yes_destructive=True)
        job = run_in_process(settings, chat, request)
        assert_script_done(server)
    assert job.status == "resolved"
    after_retry, diff_shown = chat.screen(1), chat.screens[2][1]
    assert "model error after your comment at the patch gate" in after_retry and "HTTP 500" in after_retry
    assert "the gate is still open" in after_retry and "gate · job" not in after_retry, "no second full screen"
    assert FIX_LINE in diff_shown and HALF_DONE not in diff_shown
    folder = settings.jobs_dir / job.id
    assert HALF_DONE not in (folder / "patch.diff").read_text() and FIX_LINE in (folder / "patch.diff").read_text()
    assert "the coder's model call failed" in (folder / "report.md").read_text()


def test_an_edited_plan_the_localizer_cannot_act_on_reopens_the_plan_gate_with_the_edit_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = example_repo(tmp_path)
    planner, view, submit = resolved_steps()[:3]
    steps = [planner, {"expect": {"role": "localizer"}, "status": 500}, expecting(view, EDITED_STEP), submit]
    monkeypatch.setenv("VISUAL", editor_script(tmp_path, f"text = text.replace('Run the tests', {EDITED_STEP!r})"))
    chat = ScriptedChat([("plan", "edit"), ("plan", "approve")])
    with ScriptedModelServer({"context_window": 16384, "steps": steps}) as server:
        settings = in_process_settings(tmp_path, server.base_url)
        task = (repo / "ISSUE.md").read_text()
        job = run_in_process(settings, chat, JobRequest(repo=repo, task=task, approve="plan", dry_run=True))
        assert_script_done(server)
    assert "model error after your edit at the plan gate" in chat.screen(1) and "HTTP 500" in chat.screen(1)
    report = (settings.jobs_dir / job.id / "report.md").read_text()
    assert EDITED_STEP in report and "dry run" in report


def test_a_gate_reopened_with_nobody_at_a_terminal_waits_and_says_why() -> None:
    problem = "model error after your retry at the patch gate, the coder's model call failed: HTTP 503"
    payload = {"gate": "patch", "job_id": "j1", "role": "coder", "evidence": {}, "problem": problem}
    with pytest.raises(NeedsHuman) as waiting:
        NoHumanApprover().ask(payload)
    assert problem in waiting.value.user_message() and "swe-team chat j1" in waiting.value.user_message()


def test_a_long_server_error_becomes_one_short_line_with_what_to_do() -> None:
    state = TeamState(decisions=[Decision(gate="plan", action="retry", comment=COMMENT)])
    error = ModelError("the model server refused the request (HTTP 400): " + '{"messages": [...]}\n' * 80, hint="fix")
    (note,) = back_to_gate(state, "plan", "planner", error)["notes"]
    assert note.startswith("model error after your comment at the plan gate") and "HTTP 400" in note
    assert "\n" not in note and len(note) < 450 and note.endswith("… → fix")


def test_help_at_a_gate_shows_the_optional_arguments_as_typed() -> None:
    payload = {"gate": "plan", "job_id": "j1", "role": "planner", "evidence": {"task": "fix [it]", "plan": {}}}
    lines = iter(["help", "approve"])
    console = Console(record=True, width=160)
    ChatApprover(console, read_line=lambda prompt: next(lines)).ask(payload)
    shown = console.export_text()
    assert "reject [reason]" in shown and "retry [comment]" in shown and "fix [it]" in shown
