"""Without a terminal a job stops at its gate, holding no process; `approve`/`reject` answer it from scripts.
An edited patch is applied to the workspace, verified again and is what ends on the branch."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, git, resolved_steps
from harness.terminal import screen_text, spawn
from swe_team.approval import EXIT_WAITING
from tests.chat_fixtures import chat_server, decisions, editor_script, expecting, finish, gate
from tests.job_fixtures import assert_script_done, job_ids

NOTE = "mind the discount rules"


def test_scripts_answer_gates_and_the_branch_needs_an_explicit_yes(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = resolved_steps()
    steps[1] = expecting(steps[1], NOTE)
    home = tmp_path / "home"
    with chat_server(steps) as server:
        env = cli_env(home, server.base_url)
        run = swe_team(*run_args(repo, "--approve", "plan", "--json"), env=env)
        assert run.returncode == EXIT_WAITING, run.stderr
        job = json.loads(run.stdout)
        assert (job["status"], job["gate"], job["pid"]) == ("waiting", "plan", 0)
        assert f"swe-team chat {job['id']}" in run.stderr and "swe-team approve" in run.stderr

        approved = swe_team("approve", job["id"], "--comment", NOTE, "--json", env=env)
        assert approved.returncode == EXIT_WAITING, approved.stderr
        assert json.loads(approved.stdout)["gate"] == "final", "the branch asks though only plan was chosen"
        assert git(repo, "branch", "--list", f"swe-team/{job['id']}") == ""

        final = swe_team("approve", job["id"], "--json", env=env)
        assert final.returncode == 0, final.stderr
        assert_script_done(server, final.stderr)
    assert json.loads(final.stdout)["status"] == "resolved"
    assert git(repo, "log", "--format=%s", f"main..swe-team/{job['id']}")
    shown = swe_team("show", job["id"], "--json", env=env).stdout
    assert decisions(shown) == [("plan", "approve"), ("final", "approve")]
    assert json.loads(shown)["decisions"][0]["comment"] == NOTE
    again = swe_team("reject", job["id"], "--reason", "too late", env=env)
    assert again.returncode == 1 and "not waiting at a gate" in again.stderr


def test_an_edited_patch_is_applied_verified_and_written(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = resolved_steps()
    reviewer = steps[-1]
    steps.append(expecting(reviewer, 'default=Decimal("0.00")'))
    home = tmp_path / "home"
    with chat_server(steps) as server:
        editor = editor_script(tmp_path, "text = text.replace('default=Decimal(\"0\")', 'default=Decimal(\"0.00\")')")
        env = cli_env(home, server.base_url, EDITOR=editor)
        child = spawn(run_args(repo, "--approve", "patch", "--yes-destructive"), env)
        gate(child, "patch")
        child.sendline("edit")
        gate(child, "patch")
        assert screen_text(child).count('default=Decimal("0.00")') >= 1
        child.sendline("approve")
        finish(child, server)
    (job_id,) = job_ids(home)
    patch = (home / "jobs" / job_id / "patch.diff").read_text()
    assert 'default=Decimal("0.00")' in patch and 'default=Decimal("0"))' not in patch
    shown = json.loads(swe_team("show", job_id, "--json", env=env).stdout)
    assert shown["status"] == "resolved"
    assert [d["action"] for d in shown["decisions"]] == ["edit", "approve"]
    assert 'Decimal("0.00")' in git(repo, "show", f"swe-team/{job_id}:shop/cart.py")
