"""What a job leaves in memory: nothing when the model server failed it, and a lesson that records each gate
decision as the action the developer took, with a title and advice written from the job's outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, resolved_steps
from harness.terminal import screen_text, spawn
from tests.chat_fixtures import chat_server, expecting, finish, gate
from tests.job_fixtures import assert_script_done, job_ids

COMMENT = "please keep the public API of Cart unchanged"


def test_a_job_the_model_server_failed_leaves_no_lesson(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    refusing = {"steps": [{"expect": {"role": "planner"}, "status": 400}]}
    with ScriptedModelServer(refusing) as server:
        env = cli_env(home, server.base_url)
        result = swe_team(*run_args(repo, "--json"), env=env)
        assert_script_done(server, result.stderr)
    job = json.loads(result.stdout)
    assert job["status"] == "unresolved", result.stderr
    assert json.loads(swe_team("memory", "ls", "--json", env=env).stdout) == []
    report = (home / "jobs" / job["id"] / "report.md").read_text(encoding="utf-8")
    assert "no lesson stored: the job ended on a failure of what it runs on" in report
    assert "HTTP 400" in report and "- lesson:" not in report


def test_a_comment_at_the_plan_gate_is_remembered_as_sent_back_with_that_comment(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    steps = resolved_steps()
    steps[1:1] = [expecting(steps[0], COMMENT)]
    with chat_server(steps) as server:
        env = cli_env(home, server.base_url)
        child = spawn(run_args(repo, "--approve", "plan", "--yes-destructive"), env)
        gate(child, "plan")
        child.sendline(COMMENT)
        gate(child, "plan")
        child.sendline("approve")
        finish(child, server)
    (job_id,) = job_ids(home)
    (stored,) = json.loads(swe_team("memory", "ls", "--json", env=env).stdout)
    assert stored["job_id"] == job_id and stored["status"] == "resolved"
    assert [(d["gate"], d["action"], d["comment"]) for d in stored["decisions"]] == [
        ("plan", "retry", COMMENT),
        ("plan", "approve", ""),
    ]
    assert stored["title"] == "Checkout crashes when the cart is empty — fixed in shop/cart.py + tests"
    assert stored["advice"].startswith("Do: Cart.cheapest_price now returns 0 for an empty cart")
    assert f"human said: {COMMENT}" in stored["advice"]

    shown = spawn(["memory", "show", stored["id"]], env)
    shown.expect(pexpect.EOF)
    text = screen_text(shown)
    assert "Checkout crashes when the cart is empty — fixed in shop/cart.py + tests" in text
    assert "plan gate: sent back with a comment" in text and COMMENT in text
    assert "```" not in text and "# Checkout" not in text, "Markdown is rendered on a terminal, not printed raw"
