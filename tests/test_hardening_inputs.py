"""Bad input on the command line gets one clear error and exit 1, never a traceback; the configuration files
are read where the documentation says, and `config show` names them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.bad_inputs import NOBODY, BadInput, bad_inputs
from harness.cli import cli_env, swe_team
from harness.example import example_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path)


def test_every_bad_input_is_one_clear_error_and_no_job(tmp_path: Path, repo: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    answers = {bad.name: bad.problem(bad.run(tmp_path / "home")) for bad in bad_inputs(scratch, repo)}
    assert {name: problem for name, problem in answers.items() if problem} == {}
    assert not (tmp_path / "home" / "jobs").exists()


def test_a_bad_value_in_a_file_names_the_file(tmp_path: Path, repo: Path) -> None:
    (repo / "swe-team.toml").write_text('[docker]\nworkspace_size = "lots"\n')
    where = f"fix the value where it is set: {repo / 'swe-team.toml'}"
    expected = f"'lots' is not a size such as 4g or 512m → {where}"
    bad = BadInput("workspace size", ["run", "--repo", str(repo), "--task", "x"], expected)
    assert bad.problem(bad.run(tmp_path / "home")) == ""


def test_config_toml_in_the_home_is_read_and_config_show_names_every_file(tmp_path: Path, repo: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("[budgets]\nmax_iterations = 7\n")
    (repo / "swe-team.toml").write_text("[budgets]\nmax_review_rounds = 5\n")
    env = cli_env(home, NOBODY)
    shown = swe_team("config", "show", "--repo", str(repo), "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    files = {entry["file"]: (entry["path"], entry["read"]) for entry in data["files"]}
    assert files == {
        "user config": (env["SWE_TEAM_USER_CONFIG"], False),
        "home config": (str(home / "config.toml"), True),
        "repository config": (str(repo / "swe-team.toml"), True),
    }
    values = {row["key"]: (row["value"], row["source"]) for row in data["settings"]}
    assert values["budgets.max_iterations"] == ("7", str(home / "config.toml"))
    assert values["budgets.max_review_rounds"] == ("5", str(repo / "swe-team.toml"))
    table = swe_team("config", "show", env={**env, "COLUMNS": "200"})
    assert f"home config        {home / 'config.toml'}  read" in table.stdout
