"""`run --task URL`: a GitLab issue read through its API becomes the task the planner sees; offline, unknown
URLs and refused reads end before any job with a message that says what to do."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, swe_team
from harness.example import EXAMPLE, example_repo, script
from swe_team.cli import app
from tests.forge_fixtures import ISSUE_TITLE, fake_forge, gitlab_issue_routes
from tests.job_fixtures import job_ids


def test_a_gitlab_issue_url_is_read_and_given_to_the_planner(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    home = tmp_path / "home"
    body = (EXAMPLE / "ISSUE.md").read_text(encoding="utf-8").partition("\n")[2]
    planner_only = {**script("shop-resolved"), "steps": script("shop-resolved")["steps"][:1]}
    with fake_forge(gitlab_issue_routes(body)) as forge, ScriptedModelServer(planner_only) as model:
        url = f"{forge.url}/acme/shop/-/issues/3"
        env = cli_env(home, model.base_url, GITLAB_TOKEN="lab-reader")
        result = swe_team("run", "--repo", str(repo), "--task", url, "--approve", "plan", env=env)
        assert model.failures == [] and model.remaining == 0, result.stderr
    assert result.returncode == 3, result.stderr  # waiting at the plan gate, the planner having read the issue
    [job_id] = job_ids(home)
    task = json.loads((home / "jobs" / job_id / "job.json").read_text())["task"]
    assert task.startswith(ISSUE_TITLE + "\n\nCalling `checkout()`")
    assert "li: The total should be 0.00." in task and "changed the description" not in task
    assert {seen.headers.get("Private-Token") for seen in forge.seen} == {"lab-reader"}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name, value in cli_env(tmp_path / "home", "http://127.0.0.1:9/v1").items():
        monkeypatch.setenv(name, value)
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def run_task(cli: CliRunner, repo: Path, task: str) -> str:
    result = cli.invoke(app, ["run", "--repo", str(repo), "--task", task])
    assert result.exit_code == 1, result.output
    return " ".join(result.output.split())


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_offline_the_issue_cannot_be_read_and_no_job_starts(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWE_TEAM_FORGE__GITHUB_API_URL", f"http://127.0.0.1:{closed_port()}")
    text = run_task(cli, example_repo(tmp_path), "https://github.com/acme/shop/issues/7")
    assert "cannot reach GitHub's API" in text and "--task-file" in text
    assert job_ids(tmp_path / "home") == []


def test_a_url_that_names_no_issue_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    text = run_task(cli, example_repo(tmp_path), "https://example.com/acme/shop/pull/3")
    assert "is not an issue URL swe-team can read" in text and "/-/issues/N" in text


def test_a_private_issue_without_a_token_names_the_variable_to_set(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_forge({}) as forge:
        monkeypatch.setenv("SWE_TEAM_FORGE__GITHUB_API_URL", forge.url)
        text = run_task(cli, example_repo(tmp_path), "https://github.com/acme/secret/issues/1")
    assert "GitHub answered HTTP 404" in text and "Not Found" in text
    assert "set GITHUB_TOKEN or GH_TOKEN" in text


def test_an_odd_answer_from_the_forge_is_an_error_not_a_traceback(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_forge({("GET", "/repos/acme/shop/issues/7"): (200, ["not", "an", "issue"])}) as forge:
        monkeypatch.setenv("SWE_TEAM_FORGE__GITHUB_API_URL", forge.url)
        text = run_task(cli, example_repo(tmp_path), "https://github.com/acme/shop/issues/7")
    assert "GitHub's API answered GET /repos/acme/shop/issues/7 with list, not an object" in text
