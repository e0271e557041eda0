"""One job from a GitHub issue URL, approved with a comment at the plan gate, then read back: the task it was
given, `swe-team trajectory` as a conversation, and `swe-team pr` opening a request or saying how to."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, swe_team
from harness.example import EXAMPLE, example_repo, git, script
from swe_team.cli import app
from tests.forge_fixtures import ISSUE_TITLE, fake_forge, github_issue_routes
from tests.job_fixtures import assert_script_done, job_ids

ISSUE_URL = "https://github.com/acme/shop/issues/7"
COMMENT = "keep the fix inside Cart"


@dataclass(frozen=True)
class Finished:
    repo: Path
    home: Path
    job_id: str
    issue_requests: list[tuple[str, str]]
    """(path, Authorization header) of each request the job made of the fake GitHub."""

    @property
    def branch(self) -> str:
        return f"swe-team/{self.job_id}"


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Finished:
    where = tmp_path_factory.mktemp("finished")
    repo = example_repo(where)
    home = where / "home"
    body = (EXAMPLE / "ISSUE.md").read_text(encoding="utf-8").partition("\n")[2]
    with fake_forge(github_issue_routes(body)) as forge, ScriptedModelServer(script("shop-resolved")) as model:
        env = cli_env(home, model.base_url, SWE_TEAM_FORGE__GITHUB_API_URL=forge.url, GITHUB_TOKEN="reader-token")
        run = ["run", "--repo", str(repo), "--task", ISSUE_URL, "--approve", "plan", "--yes-destructive"]
        waiting = swe_team(*run, env=env)
        assert waiting.returncode == 3, waiting.stderr
        [job_id] = job_ids(home)
        approved = swe_team("approve", job_id, "--comment", COMMENT, "--json", env=env)
        assert_script_done(model, approved.stderr)
    assert approved.returncode == 0 and json.loads(approved.stdout)["status"] == "resolved", approved.stderr
    seen = [(request.path, request.headers.get("Authorization", "")) for request in forge.seen]
    return Finished(repo, home, job_id, seen)


@pytest.fixture
def cli(finished: Finished, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in cli_env(finished.home, "http://127.0.0.1:9/v1").items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def fix_subject(finished: Finished) -> str:
    """The subject of the branch's last commit: the fix (the reproduction tests are committed before it)."""
    return git(finished.repo, "log", "-1", "--format=%s", finished.branch)


def invoke(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_a_task_given_as_an_issue_url_is_the_issues_title_body_and_comments(finished: Finished) -> None:
    job = json.loads((finished.home / "jobs" / finished.job_id / "job.json").read_text())
    assert job["task"].startswith(ISSUE_TITLE + "\n\nCalling `checkout()` on a cart with no items")
    assert "## Comments\nmaria: Seen on 2.3 too, only with an empty cart." in job["task"]
    assert job["task"].endswith(f"(from {ISSUE_URL})")
    assert finished.issue_requests == [
        ("/repos/acme/shop/issues/7", "Bearer reader-token"),
        ("/repos/acme/shop/issues/7/comments?per_page=30", "Bearer reader-token"),
    ]


def test_trajectory_reads_as_a_conversation(cli: CliRunner, finished: Finished) -> None:
    text = invoke(cli, "trajectory", finished.job_id[:12])
    assert "planner · model call 1 (reasoning) ·" in text
    assert ISSUE_TITLE in text  # the planner's prompt
    assert 'localizer · tool view_file {"path": "shop/cart.py"}' in text
    assert "shop/cart.py — lines 1-48 of 48" in text  # what the tool returned
    assert "submits:" in text and "Cart.cheapest_price" in text
    assert f'decision at the plan gate: approve: "{COMMENT}"' in text
    assert "job ended resolved" in text
    assert "--full shows everything" in text
    assert "\x1b[" not in text  # plain text for a pager or a file
    full = invoke(cli, "trajectory", finished.job_id, "--full")
    assert "--full shows everything" not in full and len(full) > len(text)


def test_trajectory_of_one_role_and_as_json(cli: CliRunner, finished: Finished) -> None:
    tester = invoke(cli, "trajectory", finished.job_id, "--role", "tester")
    assert "tester · model call 1" in tester
    assert "planner ·" not in tester and "localizer ·" not in tester
    assert "▶ tester_reproduce" in tester and "◀ tester_verify" in tester
    events = json.loads(invoke(cli, "trajectory", finished.job_id, "--json"))
    kinds = {event["event"] for event in events}
    assert {"model_call", "tool_call", "decision", "finalized"} <= kinds
    unknown = invoke(cli, "trajectory", finished.job_id, "--role", "poet", code=2)
    assert "'poet' is not one of" in unknown and "'reviewer'" in unknown


def test_pr_without_a_remote_prints_the_push_and_the_request(cli: CliRunner, finished: Finished) -> None:
    text = invoke(cli, "pr", finished.job_id, "--remote", "nowhere")
    assert "the repository has no remote 'nowhere'" in text
    assert f"git -C {finished.repo} push nowhere {finished.branch}" in text
    assert f"\n{fix_subject(finished)[:60]}" in text
    for section in ("## Change", "## Tests", "## Review", f"job `{finished.job_id}`"):
        assert section in text
    assert "# swe-team job" not in text and "## Usage" not in text


def test_pr_to_github_without_a_token_names_the_page_to_open_it(cli: CliRunner, finished: Finished) -> None:
    git(finished.repo, "remote", "add", "hub", "git@github.com:acme/shop.git")
    data = json.loads(invoke(cli, "pr", finished.job_id, "--remote", "hub", "--json"))
    assert data["opened"] is False and "GITHUB_TOKEN" in data["reason"]
    assert data["page"] == f"https://github.com/acme/shop/compare/{finished.branch}?expand=1"
    assert data["push"] == f"git -C {finished.repo} push hub {finished.branch}"


def bare_remote(finished: Finished, name: str, url: str) -> Path:
    """A bare repository that pushes to `url` (a forge's URL) land in, through git's pushInsteadOf."""
    bare = finished.repo.parent / f"{name}.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(finished.repo, "remote", "add", name, url)
    git(finished.repo, "config", f"url.{bare}.pushInsteadOf", url)
    return bare


def test_pr_to_github_pushes_the_branch_and_opens_a_pull_request(
    cli: CliRunner, finished: Finished, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = bare_remote(finished, "github", "https://github.com/acme/shop.git")
    opened = "https://github.com/acme/shop/pull/12"
    routes = {
        ("GET", "/repos/acme/shop"): (200, {"default_branch": "main"}),
        ("POST", "/repos/acme/shop/pulls"): (201, {"html_url": opened, "number": 12}),
    }
    with fake_forge(routes) as forge:
        monkeypatch.setenv("SWE_TEAM_FORGE__GITHUB_API_URL", forge.url)
        monkeypatch.setenv("GH_TOKEN", "writer-token")
        text = invoke(cli, "pr", finished.job_id, "--remote", "github", "--draft")
    assert opened in text
    assert git(bare, "rev-parse", finished.branch) == git(finished.repo, "rev-parse", finished.branch)
    [post] = [seen for seen in forge.seen if seen.method == "POST"]
    assert post.headers["Authorization"] == "Bearer writer-token"
    assert post.body["head"] == finished.branch and post.body["base"] == "main" and post.body["draft"] is True
    assert post.body["title"][:40] == fix_subject(finished)[:40] and len(post.body["title"]) <= 72
    assert "## Tests" in post.body["body"]


def test_pr_to_gitlab_opens_a_merge_request_into_the_named_base(
    cli: CliRunner, finished: Finished, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = bare_remote(finished, "lab", "https://gitlab.com/acme/shop.git")
    opened = "https://gitlab.com/acme/shop/-/merge_requests/4"
    routes = {("POST", "/api/v4/projects/acme%2Fshop/merge_requests"): (201, {"web_url": opened})}
    with fake_forge(routes) as forge:
        monkeypatch.setenv("SWE_TEAM_FORGE__GITLAB_API_URL", forge.url + "/api/v4")
        monkeypatch.setenv("SWE_TEAM_FORGE__GITLAB_TOKEN", "lab-token")
        data = json.loads(invoke(cli, "pr", finished.job_id, "--remote", "lab", "--base", "release", "--json"))
    assert data["opened"] is True and data["url"] == opened
    assert git(bare, "rev-parse", finished.branch)
    [post] = forge.seen
    assert post.headers["Private-Token"] == "lab-token"
    assert post.body["source_branch"] == finished.branch and post.body["target_branch"] == "release"


def test_pr_refused_by_the_forge_says_why(cli: CliRunner, finished: Finished, monkeypatch: pytest.MonkeyPatch) -> None:
    bare_remote(finished, "taken", "https://github.com/acme/taken.git")
    refusal = {"message": "Validation Failed", "errors": [{"message": "A pull request already exists for acme:x."}]}
    routes = {("POST", "/repos/acme/taken/pulls"): (422, refusal)}
    with fake_forge(routes) as forge:
        monkeypatch.setenv("SWE_TEAM_FORGE__GITHUB_API_URL", forge.url)
        monkeypatch.setenv("GITHUB_TOKEN", "writer-token")
        text = invoke(cli, "pr", finished.job_id, "--remote", "taken", "--base", "main", code=1)
    assert "GitHub answered HTTP 422" in text and "A pull request already exists" in text


def test_pr_of_a_job_without_a_branch_says_why(cli: CliRunner, finished: Finished) -> None:
    git(finished.repo, "branch", "-m", finished.branch, "kept-aside")
    try:
        text = invoke(cli, "pr", finished.job_id, code=1)
    finally:
        git(finished.repo, "branch", "-m", "kept-aside", finished.branch)
    assert f"has no branch {finished.branch}" in text and "final gate" in text


def test_shell_completion_offers_the_job_ids(cli: CliRunner, finished: Finished) -> None:
    typed = {"COMP_WORDS": f"swe-team trajectory {finished.job_id[:8]}", "COMP_CWORD": "2"}
    result = cli.invoke(app, [], env={"_SWE_TEAM_COMPLETE": "complete_bash", **typed}, prog_name="swe-team")
    assert result.output.split() == [finished.job_id]
