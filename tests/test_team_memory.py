"""Experience memory in a job: the next job on a repository starts from the lesson the last one left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, swe_team
from harness.example import example_repo, script
from tests.job_fixtures import assert_script_done, run_example_job


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_second_job_plan_sees_the_lesson_of_the_first(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    extra = {"SWE_TEAM_MEMORY": backend}
    if backend == "redis":
        extra["SWE_TEAM_REDIS_URL"] = request.getfixturevalue("redis_url")
        extra["SWE_TEAM_MEMORY_KEY_PREFIX"] = f"test-{tmp_path.name}"
    first = run_example_job(repo, home, script("shop-resolved"), "--yes-destructive", **extra)
    assert json.loads(first.stdout)["status"] == "resolved", first.stderr

    planner_sees_lesson = {
        "expect": {
            "role": "planner",
            "prompt_contains": ["Lessons from earlier jobs", "Cart.cheapest_price", "cheapest_price now returns 0"],
        },
        "response": {"content": "not a plan"},
    }
    with ScriptedModelServer({"steps": [planner_sees_lesson]}) as server:
        second = swe_team(
            "run", "--repo", str(repo), "--task", "checkout() of an empty cart raises ValueError", "--json",
            env=cli_env(home, server.base_url, SWE_TEAM_MODELS__FORMAT_RETRIES="0", **extra),
        )
        assert_script_done(server, second.stderr)
    job = json.loads(second.stdout)
    report = (home / "jobs" / job["id"] / "report.md").read_text()
    lessons = report.split("## Lessons used")[1].split("##")[0]
    assert "Checkout crashes when the cart is empty" in lessons
