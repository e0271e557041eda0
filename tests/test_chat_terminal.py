"""`swe-team run` and `swe-team chat` in a real pseudo-terminal, answering every gate as a developer would."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pexpect

from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, git, resolved_steps
from harness.terminal import screen_text, spawn
from tests.chat_fixtures import answer, chat_server, decisions, editor_script, expecting, finish, gate
from tests.job_fixtures import job_ids

COMMENT = "please keep the public API of Cart unchanged"
EDITED_STEP = "Run the whole test suite twice"


def test_every_gate_answered_in_a_terminal_comment_edit_ask_approve(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = resolved_steps()
    steps[1:1] = [expecting(steps[0], COMMENT)]
    steps[2] = expecting(steps[2], EDITED_STEP)
    steps.insert(4, answer("localizer", "Because min() of an empty sequence raises ValueError.", "why cheapest_price"))
    home = tmp_path / "home"
    with chat_server(steps) as server:
        editor = editor_script(tmp_path, f"text = text.replace('Run the tests', {EDITED_STEP!r})")
        env = cli_env(home, server.base_url, EDITOR=editor)
        child = spawn(run_args(repo, "--approve", "all"), env)
        gate(child, "plan")
        assert "Make cheapest_price safe on an empty cart" in screen_text(child)
        child.sendline("hmm")
        child.expect_exact("not a command")
        child.sendline(COMMENT)
        gate(child, "plan")
        child.sendline("/edit")
        gate(child, "locations")
        assert "Cart.cheapest_price" in screen_text(child) and "def cheapest_price" in screen_text(child)
        child.sendline("ask why cheapest_price and not discount?")
        child.expect_exact("min() of an empty sequence raises ValueError")
        gate(child, "locations")
        child.sendline("approve")
        gate(child, "patch")
        assert 'default=Decimal("0")' in screen_text(child) and "regressions: none" in screen_text(child)
        child.sendline("/approve")
        gate(child, "final")
        assert "will be written in" in screen_text(child)
        child.sendline("yes")
        finish(child, server)
    (job_id,) = job_ids(home)
    shown = swe_team("show", job_id, "--json", env=env)
    assert json.loads(shown.stdout)["status"] == "resolved"
    assert decisions(shown.stdout) == [
        ("plan", "retry"), ("plan", "edit"), ("locations", "approve"), ("patch", "approve"), ("final", "approve"),
    ]
    edit = json.loads(shown.stdout)["decisions"][1]
    assert EDITED_STEP in edit["accepted"] and "plan replaced" in edit["changed"]
    assert git(repo, "log", "--format=%s", f"main..swe-team/{job_id}")
    table = swe_team("show", job_id, env={**env, "COLUMNS": "250"}).stdout
    assert "decisions" in table and "sent back to the planner" in table


def test_killed_while_waiting_then_chat_resumes_it_and_a_reject_ends_the_job(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    with chat_server(resolved_steps()) as server:
        env = cli_env(home, server.base_url)
        child = spawn(run_args(repo, "--approve", "patch"), env)
        gate(child, "patch")
        os.kill(child.pid, signal.SIGKILL)
        child.expect(pexpect.EOF)
        child.close()
        (job_id,) = job_ids(home)
        waiting = json.loads(swe_team("jobs", "--waiting", "--json", env=env).stdout)
        assert [(j["id"], j["status"], j["gate"]) for j in waiting] == [(job_id, "waiting", "patch")]

        chat = spawn(["chat", job_id[:12]], env)
        gate(chat, "patch")
        assert 'default=Decimal("0")' in screen_text(chat)
        chat.sendline("/frobnicate")
        chat.expect_exact("unknown command /frobnicate")
        chat.sendline("reject")
        chat.expect_exact("reason")
        chat.sendline("the fix hides a missing validation")
        finish(chat, server)
    shown = json.loads(swe_team("show", job_id, "--json", env=env).stdout)
    assert shown["status"] == "rejected"
    assert "the fix hides a missing validation" in shown["report"]
    assert git(repo, "branch", "--list", f"swe-team/{job_id}") == ""
