"""How a job ends, as a user reads it: the one-line reason on the terminal, a dry run that plans and locates
without touching anything, and a final gate that sums up the branch instead of repeating the diff."""

from __future__ import annotations

import json
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, run_args, swe_team
from harness.example import example_repo, git, resolved_steps
from swe_team.approval import EXIT_WAITING
from swe_team.runner import JobRequest
from tests.gate_fixtures import ScriptedChat, flat, in_process_settings, run_in_process
from tests.job_fixtures import assert_script_done, run_example_job

FIX_LINE = '+        return min((item.price for item in self.items), default=Decimal("0"))'
PLAN_AND_LOCATIONS = 3
"""The example's planner answer and the localizer's two."""


def test_a_dry_run_plans_and_locates_then_ends_with_no_edit_branch_or_lesson(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = resolved_steps()[:PLAN_AND_LOCATIONS]
    chat = ScriptedChat([("plan", "approve"), ("locations", "approve")])
    with ScriptedModelServer({"context_window": 16384, "steps": steps}) as server:
        settings = in_process_settings(tmp_path, server.base_url)
        task = (repo / "ISSUE.md").read_text()
        job = run_in_process(settings, chat, JobRequest(repo=repo, task=task, approve="all", dry_run=True))
        assert_script_done(server)
    assert job.status == "planned"
    folder = settings.jobs_dir / job.id
    report = (folder / "report.md").read_text()
    assert "dry run: a plan of 4 step(s) and 2 ranked location(s); nothing was edited" in report
    assert "Find where the empty cart fails" in report and "`shop/cart.py` Cart.cheapest_price" in report
    assert "a dry run (`run --dry-run`) plans and locates, and edits nothing" in report and "- lesson:" not in report
    assert (folder / "patch.diff").read_text() == ""
    assert git(repo, "branch", "--list", "swe-team/*") == "" and git(repo, "status", "--porcelain") == ""


def test_run_dry_run_prints_why_it_ended_also_with_json(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    result = run_example_job(repo, tmp_path / "home", {"steps": resolved_steps()[:PLAN_AND_LOCATIONS]}, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "planned"
    assert "why" in result.stderr and "dry run: a plan of 4 step(s)" in result.stderr


def test_a_rejected_job_prints_the_reason_on_one_line(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    reason = "the fix belongs in checkout(), where an order with no lines is made; this is a very long reason " * 2
    with ScriptedModelServer({"steps": resolved_steps()[:1]}) as server:
        env = cli_env(tmp_path / "home", server.base_url)
        waiting = swe_team(*run_args(repo, "--approve", "plan", "--json"), env=env)
        assert waiting.returncode == EXIT_WAITING, waiting.stderr
        rejected = swe_team("reject", json.loads(waiting.stdout)["id"], "--reason", reason.strip(), env=env)
        assert_script_done(server, rejected.stderr)
    assert rejected.returncode == 0, rejected.stderr
    why = next(line for line in rejected.stderr.splitlines() if line.strip().startswith("why"))
    assert why.rstrip().endswith(f"rejected at the plan gate: {reason.strip()}"), rejected.stderr


def test_the_final_gate_sums_up_the_branch_the_patch_gate_just_showed(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    chat = ScriptedChat([("patch", "approve"), ("final", "diff"), ("final", "approve")])
    with ScriptedModelServer({"context_window": 16384, "steps": resolved_steps()}) as server:
        settings = in_process_settings(tmp_path, server.base_url)
        request = JobRequest(repo=repo, task=(repo / "ISSUE.md").read_text(), approve="patch,final")
        job = run_in_process(settings, chat, request)
        assert_script_done(server)
    assert job.status == "resolved"
    assert len(chat.screens) == 3
    patch_gate, final_gate, diff_asked = chat.screens[0][1], chat.screen(1), chat.screens[2][1]
    assert FIX_LINE in patch_gate
    assert flat(FIX_LINE) not in final_gate, "the diff the patch gate just showed is not repeated"
    assert "shop/cart.py +1 -1" in final_gate and "tests/test_empty_cart.py +" in final_gate
    commits = git(repo, "log", "--format=%s", "--reverse", f"main..{job.branch}").splitlines()
    assert [f"commit {n}: {subject}" in final_gate for n, subject in enumerate(commits, 1)] == [True, True]
    assert f"branch {job.branch} will be written in" in final_gate
    assert FIX_LINE in diff_asked
