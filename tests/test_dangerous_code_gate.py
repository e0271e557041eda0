"""Every patch the team writes is scanned: dangerous code stops auto-approval at the patch gate (the job waits,
saying which code needs a person, and its gate screen shows the evidence); an allowlisted use goes through."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from core.ci_settings import ReviewSettings
from core.model.scripted_server import ScriptedModelServer
from core.settings import Settings
from harness.example import example_repo, git, resolved_steps
from swe_team.approval import Approver, AutoApprover, NeedsHuman, NoHumanApprover
from swe_team.chat.evidence import render_screen
from swe_team.chat.screen import load_gate_screen
from swe_team.runner import JobRequest, JobRunner
from tests.gate_fixtures import ScriptedChat, flat, in_process_settings, run_in_process
from tests.job_fixtures import assert_script_done

CODER_EDIT = 6
"""The coder's search_replace in the example's resolved script."""
DANGEROUS_FIX = '        return min((item.price for item in self.items), default=Decimal(eval("0")))'


def steps_with_eval() -> list[dict[str, Any]]:
    steps = resolved_steps()
    steps[CODER_EDIT]["response"]["tool_calls"][0]["arguments"]["replace"] = DANGEROUS_FIX
    return steps


def waiting_at_the_patch_gate(tmp_path: Path, approver: Approver) -> tuple[Settings, JobRunner, NeedsHuman]:
    """The job with the dangerous patch, run under `--approve auto` with `approver` until it waits for a person."""
    repo = example_repo(tmp_path)
    with ScriptedModelServer({"context_window": 16384, "steps": steps_with_eval()}) as server:
        settings = in_process_settings(tmp_path, server.base_url)
        runner = JobRunner(settings, approver, Console(file=io.StringIO()))
        with pytest.raises(NeedsHuman) as waiting:
            runner.start(JobRequest(repo=repo, task=(repo / "ISSUE.md").read_text(), approve="auto"))
        assert_script_done(server)
    return settings, runner, waiting.value


def test_a_patch_adding_eval_stops_auto_approval_and_waits_with_the_evidence(tmp_path: Path) -> None:
    settings, runner, waiting = waiting_at_the_patch_gate(tmp_path, NoHumanApprover())
    message = flat(waiting.user_message())
    assert "waits at the patch gate: the patch adds dangerous code (shop/cart.py:38 eval)" in message
    assert runner.store.load(waiting.job_id).status == "waiting"
    shown = Console(record=True, width=200, color_system=None)
    shown.print(render_screen(load_gate_screen(settings.jobs_dir / waiting.job_id) or {}))
    screen = flat(shown.export_text())
    assert "the patch adds dangerous code: only a person can approve it" in screen
    assert f"shop/cart.py:38 [eval] {DANGEROUS_FIX.strip()}" in screen
    assert "eval() runs a string as Python" in screen


def test_the_auto_approver_of_scripts_and_eval_leaves_dangerous_code_to_a_person(tmp_path: Path) -> None:
    settings, runner, waiting = waiting_at_the_patch_gate(tmp_path, AutoApprover())
    assert "the patch adds dangerous code (shop/cart.py:38 eval)" in flat(waiting.user_message())
    job = runner.store.load(waiting.job_id)
    assert (job.status, job.gate) == ("waiting", "patch")
    assert not (settings.jobs_dir / job.id / "patch.diff").exists()


def test_an_allowlisted_use_is_auto_approved(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    chat = ScriptedChat([])
    with ScriptedModelServer({"context_window": 16384, "steps": steps_with_eval()}) as server:
        settings = in_process_settings(tmp_path, server.base_url)
        settings.review = ReviewSettings(dangerous_code_allow=["shop/*.py:eval"])
        request = JobRequest(repo=repo, task=(repo / "ISSUE.md").read_text(), approve="auto", yes_destructive=True)
        job = run_in_process(settings, chat, request)
        assert_script_done(server)
    assert job.status == "resolved" and chat.screens == []
    assert DANGEROUS_FIX in git(repo, "show", f"{job.branch}:shop/cart.py")
