"""What the commands print when piped: whole ids, JSON for scripts, the right empty state, markup printed as
written, tests among a symbol's callers, the repository the current folder is in, choices and defaults in --help."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from core.git import git
from core.jobs import Job, JobStore
from swe_team.cli import app
from swe_team.cli.choices import APPROVE_HELP, approve_policy
from tests.docker_fixtures import docker_client

SHOP = {
    "shop/__init__.py": "",
    "shop/pricing.py": "def apply_discount(price, rate):\n    return price * (1 - rate)\n",
    "shop/checkout.py": "from shop.pricing import apply_discount\n\n\ndef checkout(price):\n"
    "    return apply_discount(price, 0.1)\n",
    "tests/test_pricing.py": "import pytest\n\nfrom shop.pricing import apply_discount\n\n\n@pytest.fixture\n"
    "def half_price():\n    return apply_discount(10.0, 0.5)\n\n\ndef test_half_price(half_price):\n"
    "    assert half_price == 5.0\n",
}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner with its own home, no user config, no terminal width, in a folder outside any repository."""
    for key in [key for key in os.environ if key.startswith("SWE_TEAM_")]:
        monkeypatch.delenv(key)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWE_TEAM_USER_CONFIG", str(tmp_path / "no-user-config.toml"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return CliRunner()


def invoke(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def flat(text: str) -> str:
    """`text` with the box drawing of rich's help and every run of whitespace made one space."""
    return " ".join(text.replace("│", " ").split())


def save_jobs(home: Path, *jobs: Job) -> None:
    store = JobStore(home / "jobs")
    for job in jobs:
        store.create(job)


def shop_repo(where: Path) -> Path:
    repo = where / "shop-repo"
    for name, text in SHOP.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    for args in (("init", "-q"), ("add", "-A")):
        git(repo, *args)
    git(repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "shop")
    return repo


def test_piped_jobs_list_every_id_whole_one_row_each(cli: CliRunner, tmp_path: Path) -> None:
    jobs = [
        Job(
            id=f"20261201-21{n:02d}00-a1b2c{n}",
            repo=f"/src/a-repository-with-a-rather-long-name-{n}",
            task=f"Discount above 100% crashes checkout, case {n}\nmore text",
            status="unresolved",
        )
        for n in range(3)
    ]
    save_jobs(tmp_path / "home", *jobs)
    listed = invoke(cli, "jobs")
    for job in jobs:
        row = next((line for line in listed.splitlines() if job.id in line), None)
        assert row is not None, listed
        assert "unresolved" in row and f"case {job.id[-1]}" in row
    assert "…" not in listed


def test_jobs_say_why_nothing_is_listed(cli: CliRunner, tmp_path: Path) -> None:
    assert "no jobs yet" in invoke(cli, "jobs")
    assert "no jobs yet" in invoke(cli, "jobs", "--waiting")
    save_jobs(tmp_path / "home", Job(id="20261201-100000-aaaaaa", repo="/src/shop", task="t", status="resolved"))
    nothing_waiting = flat(invoke(cli, "jobs", "--waiting"))
    assert "no job is waiting at a gate (1 job(s) in all" in nothing_waiting and "no jobs yet" not in nothing_waiting
    save_jobs(
        tmp_path / "home",
        Job(id="20261201-110000-bbbbbb", repo="/src/shop", task="t", status="waiting", gate="plan"),
    )
    assert [job["id"] for job in json.loads(invoke(cli, "jobs", "--waiting", "--json"))] == ["20261201-110000-bbbbbb"]
    assert "20261201-110000-bbbbbb" in invoke(cli, "jobs", "--waiting")


def test_a_task_with_brackets_is_printed_as_written(cli: CliRunner, tmp_path: Path) -> None:
    task = "reject [reason] at the [bold]gate[/bold]"
    save_jobs(tmp_path / "home", Job(id="20261201-120000-cccccc", repo="/src/[shop]", task=task, status="resolved"))
    assert task in invoke(cli, "jobs")
    shown = invoke(cli, "show", "20261201-120000-cccccc")
    assert f"task: {task}" in shown and "/src/[shop]" in shown


def test_graph_show_lists_callers_in_test_files_as_tests(cli: CliRunner, tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    shown = json.loads(invoke(cli, "graph", "show", "apply_discount", "--repo", str(repo), "--json"))
    assert shown == [
        {
            "id": "shop/pricing.py:apply_discount",
            "kind": "function",
            "path": "shop/pricing.py",
            "start_line": 1,
            "end_line": 2,
            "signature": shown[0]["signature"],
            "doc": "",
            "callers": ["shop/checkout.py:checkout"],
            "callees": [],
            "tests": ["tests/test_pricing.py:half_price"],
        }
    ]
    text = invoke(cli, "graph", "show", "apply_discount", "--repo", str(repo))
    assert "tests: tests/test_pricing.py:half_price" in text and "callers: shop/checkout.py:checkout" in text


def test_outside_a_repository_the_folder_must_be_named(cli: CliRunner, tmp_path: Path) -> None:
    for args, naming in (
        (["index"], "swe-team index PATH"),
        (["locate", "--task", "checkout crashes"], "--repo PATH"),
        (["graph", "show", "apply_discount"], "--repo PATH"),
        (["env", "show"], "swe-team env show REPO"),
        (["env", "build"], "swe-team env build REPO"),
    ):
        said = flat(invoke(cli, *args, code=1))
        assert "is not inside a git repository" in said and f"name the folder: {naming}" in said, args
    assert not (tmp_path / "home" / "cache" / "codegraph").exists()


def test_inside_a_repository_its_top_folder_is_the_default(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = shop_repo(tmp_path)
    monkeypatch.chdir(repo / "shop")
    assert json.loads(invoke(cli, "index", "--json"))["root"] == str(repo.resolve())
    located = json.loads(invoke(cli, "locate", "--task", "apply_discount returns a negative price", "--json"))
    assert located["found_files"][0] == "shop/pricing.py"
    assert json.loads(invoke(cli, "graph", "show", "apply_discount", "--json"))[0]["path"] == "shop/pricing.py"
    assert json.loads(invoke(cli, "env", "show", "--json"))["runner"].startswith("pytest")


def test_help_shows_choices_and_defaults(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    assert "<auto|local|docker>" in flat(invoke(cli, "eval", "--help"))
    worker_help = flat(invoke(cli, "worker", "--help"))
    assert "<DEBUG|INFO|WARNING|ERROR|CRITICAL>" in worker_help and "[default: WARNING]" in worker_help
    assert "<3.9|3.11|3.13>" in flat(invoke(cli, "workspace", "build-image", "--help"))
    index_help = flat(invoke(cli, "index", "--help"))
    assert "<list[python|javascript|typescript|tsx|java|go]>" in index_help
    assert "[default: (the git repository you are in)]" in index_help
    assert "its swe-team.toml [environment] table applies" in flat(invoke(cli, "env", "show", "--help"))
    locate_help = flat(invoke(cli, "locate", "--help"))
    assert "[default: 10]" in locate_help and "[default: (the git repository you are in)]" in locate_help
    refused = flat(invoke(cli, "eval", "data.jsonl", "--gold", "--workspace", "cloud", code=2))
    assert "'cloud' is not one of" in refused and "'docker'" in refused


def test_approve_lists_the_gates_and_refuses_unknown_ones() -> None:
    probe = typer.Typer()

    @probe.command()
    def main(approve: str = typer.Option("auto", parser=approve_policy, help=APPROVE_HELP)) -> None:
        typer.echo(f"approve={approve}")

    runner = CliRunner()
    assert "auto, all, or a comma list of plan, locations, patch, final, patch-on-fail" in flat(
        runner.invoke(probe, ["--help"]).output
    )
    assert runner.invoke(probe, ["--approve", "plan, patch"]).output == "approve=plan,patch\n"
    wrong = runner.invoke(probe, ["--approve", "plan,pacth"])
    assert wrong.exit_code == 2 and "unknown gate 'pacth'" in flat(wrong.output)


def test_workspace_ls_json_and_its_empty_state(cli: CliRunner) -> None:
    docker_client()
    assert json.loads(invoke(cli, "workspace", "ls", "--json")) == []
    assert "no swe-team workspaces of this home (--all lists every home's)" in flat(invoke(cli, "workspace", "ls"))


def test_locate_says_when_there_is_no_source_to_rank(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs-only"
    docs.mkdir()
    (docs / "README.md").write_text("# notes\n", encoding="utf-8")
    git(docs, "init", "-q")
    monkeypatch.chdir(docs)
    said = flat(invoke(cli, "locate", "--task", "checkout crashes"))
    assert f"no source files in {docs.resolve()}" in said and "is it the right folder?" in said
