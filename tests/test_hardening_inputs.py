"""Bad input on the command line gets one clear error and exit 1, never a traceback; the configuration files
are read where the documentation says, and `config show` names them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.cli import cli_env, swe_team
from harness.example import example_repo

NOBODY = "http://127.0.0.1:9/v1"
"""No server listens there: an input accepted by mistake fails later, on the model, with another message."""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path)


def refused(args: list[str], env: dict[str, str], message: str) -> None:
    result = swe_team(*args, env=env, timeout=120)
    assert result.returncode == 1, (args, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert message in " ".join(result.stderr.split()), result.stderr


def test_task_inputs_that_hold_no_task_are_refused(tmp_path: Path, repo: Path) -> None:
    env = cli_env(tmp_path / "home", NOBODY)
    (tmp_path / "binary.txt").write_bytes(b"\x7fELF\x00\x00\x01")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("  \n\t\n")
    (tmp_path / "folder").mkdir()
    run = ["run", "--repo", str(repo)]
    refused([*run, "--task-file", str(tmp_path / "binary.txt")], env, "holds NUL bytes (a binary file?)")
    refused([*run, "--task-file", str(tmp_path / "latin1.txt")], env, "is not UTF-8 text")
    refused([*run, "--task-file", str(tmp_path / "empty.txt")], env, "the task is empty")
    refused([*run, "--task-file", str(tmp_path / "blank.txt")], env, "the task is empty")
    refused([*run, "--task", "   "], env, "the task is empty")
    refused([*run, "--task-file", str(tmp_path / "folder")], env, "is not a file")
    refused([*run, "--task-file", str(tmp_path / "missing.txt")], env, "does not exist")
    assert not (tmp_path / "home" / "jobs").exists() or not any((tmp_path / "home" / "jobs").iterdir())


def test_settings_out_of_range_are_refused_naming_where_they_were_set(tmp_path: Path, repo: Path) -> None:
    env = cli_env(tmp_path / "home", NOBODY)
    run = ["run", "--repo", str(repo), "--task", "fix it"]
    refused([*run, "--api-base", "http://127.0.0.1:99999/v1"], env, "invalid port")
    refused([*run, "--api-base", "localhost:8000"], env, "is not an http(s) URL")
    refused([*run, "--max-iterations", "-3"], env, "budgets.max_iterations: Input should be greater than or equal to 1")
    refused(run, {**env, "SWE_TEAM_BUDGETS__MAX_TOKENS": "-1"}, "the SWE_TEAM_* environment")
    (repo / "swe-team.toml").write_text('[docker]\nworkspace_size = "lots"\n')
    where = f"fix the value where it is set: {repo / 'swe-team.toml'}"
    refused(run, env, f"docker.workspace_size: 'lots' is not a size such as 4g or 512m → {where}")


def test_unreadable_configuration_and_homes_are_refused(tmp_path: Path, repo: Path) -> None:
    run = ["run", "--repo", str(repo), "--task", "fix it"]
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('model = "caf\xe9"\n'.encode("latin-1"))
    env = cli_env(tmp_path / "home", NOBODY, SWE_TEAM_USER_CONFIG=str(latin1))
    refused(["config", "show"], env, f"{latin1} is not UTF-8 text")
    refused(run, env, f"{latin1} is not UTF-8 text")
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    for home in (a_file / "home", Path("/sys/swe-team-home")):
        refused(run, cli_env(home, NOBODY), f"swe-team's home {home} cannot be used")


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
    assert os.environ.get("SWE_TEAM_HOME") != str(home)
