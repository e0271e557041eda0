"""Garbled model output — bad JSON, unknown tools, missing arguments, prose — is sent back and survived."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.trajectory import Trajectory
from harness.example import example_repo, script
from tests.job_fixtures import run_example_job


def _calls(role: str, *calls: tuple[str, Any]) -> list[dict[str, Any]]:
    return [{"expect": {"role": role}, "response": {"tool_calls": [{"name": n, "arguments": a}]}} for n, a in calls]


def test_each_kind_of_garbled_output_goes_back_to_the_model_and_the_job_still_resolves(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    resolved = script("shop-resolved")["steps"]
    garbled_plan = {"expect": {"role": "planner"}, "response": {"content": "Sure! Here is my plan: fix it."}}
    wrong_schema = {"expect": {"role": "planner", "prompt_contains": ["does not match the required JSON schema"]},
                    "response": {"content": json.dumps({"kind": "bug", "summary": "x"})}}
    localizer_noise = _calls(
        "localizer",
        ("open_file", {"path": "shop/cart.py"}),
        ("view_file", '{"path": "shop/cart.py"'),
        ("view_file", {}),
    )
    localizer_noise[1]["expect"]["prompt_contains"] = ["unknown tool 'open_file'"]
    localizer_noise[2]["expect"]["prompt_contains"] = ["not valid JSON"]
    steps = [garbled_plan, wrong_schema, resolved[0], *localizer_noise, *resolved[1:]]
    home = tmp_path / "home"
    result = run_example_job(repo, home, {"steps": steps}, "--yes-destructive", SWE_TEAM_MODELS__FORMAT_RETRIES="3")
    job = json.loads(result.stdout)
    assert job["status"] == "resolved"
    events = Trajectory(home / "jobs" / job["id"] / "trajectory.jsonl").events()
    problems = [e["problem"] for e in events if e["event"] == "format_error"]
    assert len(problems) == 5
    assert any("unknown tool 'open_file'" in p for p in problems)
    assert any("not valid JSON" in p for p in problems)
    assert any("path: Field required" in p for p in problems)


def test_output_garbled_past_the_budget_fails_the_role_cleanly_and_the_report_says_why(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    prose = {"expect": {"role": "planner"}, "response": {"content": "I think we should fix the cart."}}
    home = tmp_path / "home"
    result = run_example_job(repo, home, {"steps": [prose] * 3}, SWE_TEAM_MODELS__FORMAT_RETRIES="2")
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "unresolved"
    report = (home / "jobs" / job["id"] / "report.md").read_text()
    assert "planner: the model's output was unusable 3 times" in report
    assert "planner: planner:" not in report


def test_locations_naming_no_file_of_the_repository_are_replaced_by_the_graph_ranking(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    resolved = script("shop-resolved")["steps"]
    invented = _calls("localizer", ("submit", {"locations": [{"path": "src/app.py", "reason": "error"}]}))
    home = tmp_path / "home"
    result = run_example_job(repo, home, {"steps": [resolved[0], *invented, *resolved[3:]]}, "--yes-destructive")
    job = json.loads(result.stdout)
    report = (home / "jobs" / job["id"] / "report.md").read_text()
    locations = report.split("## Locations")[1].split("##")[0]
    assert "src/app.py" not in locations and "shop/cart.py" in locations
    assert "the model named no file of the repository (src/app.py)" in report
