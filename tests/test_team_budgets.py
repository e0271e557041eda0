"""Jobs that cannot finish well end `unresolved` at their budget, and say why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.example import example_repo, git, script
from tests.job_fixtures import run_example_job

CODER_FIRST_STEP = 6


def _coder_submits_without_fixing() -> dict[str, Any]:
    return {
        "expect": {"role": "coder"},
        "response": {"tool_calls": [{"name": "submit", "arguments": {"summary": "I could not find the fault."}}]},
    }


def test_job_whose_tests_keep_failing_ends_unresolved_at_its_iteration_budget(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    steps = script("shop-resolved")["steps"][:CODER_FIRST_STEP]
    steps += [_coder_submits_without_fixing(), _coder_submits_without_fixing()]
    home = tmp_path / "home"
    result = run_example_job(repo, home, {"steps": steps}, "--max-iterations", "2")
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "unresolved"
    report = (home / "jobs" / job["id"] / "report.md").read_text()
    assert "the tests still fail after 2 coder iteration(s)" in report
    assert git(repo, "branch", "--list", f"swe-team/{job['id']}") == ""


def test_job_over_its_token_budget_stops_and_reports_the_budget(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    steps = script("shop-resolved")["steps"][:1]
    result = run_example_job(repo, home, {"steps": steps}, SWE_TEAM_BUDGETS__MAX_TOKENS="10")
    job = json.loads(result.stdout)
    assert job["status"] == "unresolved"
    assert "token budget spent" in (home / "jobs" / job["id"] / "report.md").read_text()
