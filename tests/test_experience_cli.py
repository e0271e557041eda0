"""`swe-team memory …` end to end on the SQLite store in a temporary home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory.experience import HumanDecision, open_store
from swe_team.cli import app
from tests.experience_fixtures import lesson, settings_for

SHOP = "github.com/acme/shop"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWE_TEAM_MEMORY", "sqlite")
    monkeypatch.setenv("SWE_TEAM_USER_CONFIG", str(tmp_path / "no-user-config.toml"))
    return CliRunner()


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, ["memory", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_memory_commands_round_trip(cli: CliRunner, tmp_path: Path) -> None:
    store = open_store(settings_for(tmp_path / "home", "sqlite"))
    edited = lesson(
        SHOP,
        "slow search page",
        decisions=[
            HumanDecision(
                gate="plan", action="edit", proposal="1. add cache\n2. ship", accepted="1. add index\n2. ship"
            )
        ],
    )
    other = lesson(SHOP, "typo in footer", days_ago=1)
    store.add(edited)
    store.add(other)
    store.close()

    assert [e["id"] for e in json.loads(run(cli, "ls", "--repo", SHOP, "--json"))] == [edited.id, other.id]
    hits = json.loads(run(cli, "search", "search page slow", "--repo", SHOP, "--json"))
    assert hits[0]["id"] == edited.id and hits[0]["kind"] == "do"
    assert json.loads(run(cli, "show", edited.id, "--json"))["task"] == "slow search page"
    assert json.loads(run(cli, "stats", "--json"))["experiences"] == 2

    pairs = [json.loads(line) for line in run(cli, "export-preferences").splitlines()]
    assert len(pairs) == 1
    assert pairs[0]["chosen"].startswith("1. add index")
    assert pairs[0]["divergence"] == {"offset": 7, "line": 1, "column": 8}

    dump = tmp_path / "dump.jsonl"
    run(cli, "export", "--output", str(dump))
    assert json.loads(run(cli, "forget", edited.id, other.id, "--json")) == {
        "forgotten": [edited.id, other.id]
    }
    assert json.loads(run(cli, "ls", "--json")) == []
    assert json.loads(run(cli, "import", str(dump), "--json")) == {"experiences": 2, "facts": 0, "skipped": 0}
    assert len(json.loads(run(cli, "ls", "--json"))) == 2


def test_show_unknown_id_says_what_to_do(cli: CliRunner) -> None:
    result = cli.invoke(app, ["memory", "show", "nope"])
    assert result.exit_code == 1
    assert "memory ls" in result.output
