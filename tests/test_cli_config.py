"""`swe-team config init|show`, `--version` and shell completion, through typer's CLI runner."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import Settings, describe, load_settings
from swe_team.cli import app

SETTING_LINE = re.compile(r"^# ([a-z_]+) = (.+)$")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in [name for name in os.environ if name.startswith("SWE_TEAM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWE_TEAM_USER_CONFIG", str(tmp_path / "user" / "config.toml"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def invoke(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args), prog_name="swe-team")
    assert result.exit_code == code, result.output
    return result.output


def uncommented(template: str) -> str:
    """The template with every setting line uncommented (settings unset by default stay comments)."""
    return "\n".join(
        line[2:] if (match := SETTING_LINE.match(line)) and "(unset by default)" not in match[2] else line
        for line in template.splitlines()
    )


def test_config_init_writes_every_setting_with_its_default(cli: CliRunner, tmp_path: Path) -> None:
    text = invoke(cli, "config", "init")
    written = tmp_path / "user" / "config.toml"
    assert str(written) in " ".join(text.split())
    template = written.read_text()
    tomllib.loads(template)  # valid TOML as written
    assert "# Where jobs, checkpoints, caches and the local model's pid file live." in template
    assert "[models.instruct]" in template and "# timeout_s = 300.0" in template
    every_setting = {key for key, _, _ in describe(Settings(), {})}
    values = uncommented(template)
    set_keys = set(_leaves(tomllib.loads(values)))
    unset = {key for key, value in _leaves(Settings().model_dump()).items() if value is None}
    assert set_keys | unset == every_setting
    written.write_text(values)
    settings, provenance = load_settings(None)
    assert settings.model_dump() == Settings().model_dump()
    assert set(provenance.values()) == {str(written), "env"}  # SWE_TEAM_HOME of this test


def _leaves(data: dict[str, object], prefix: str = "") -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            found.update(_leaves(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = value
    return found


def test_config_init_does_not_replace_a_file_without_force(cli: CliRunner, tmp_path: Path) -> None:
    mine = tmp_path / "swe-team.toml"
    mine.write_text('approve = "plan"\n')
    refused = invoke(cli, "config", "init", "--path", str(mine), code=1)
    assert "exists already" in refused and "--force" in refused
    assert mine.read_text() == 'approve = "plan"\n'
    invoke(cli, "config", "init", "--path", str(mine), "--force")
    assert "# approve = " in mine.read_text()


def test_config_show_names_the_files_read_and_which_value_wins(cli: CliRunner, tmp_path: Path) -> None:
    user = tmp_path / "user" / "config.toml"
    user.parent.mkdir()
    user.write_text('api_base = "http://one:8000/v1"\n[models.instruct]\napi_base = "http://two:8000/v1"\n')
    data = json.loads(invoke(cli, "config", "show", "--json"))
    assert data["files"][0] == {"file": "user config", "path": str(user), "read": True}
    assert data["files"][1]["read"] is False
    rows = {row["key"]: row for row in data["settings"]}
    assert rows["api_base"]["source"] == str(user) and "wins" in rows["api_base"]["note"]
    assert rows["models.instruct.api_base"]["note"] == "unused: api_base is set and wins"
    assert rows["model"]["note"] == "empty: each alias uses its models.*.model"
    plain = invoke(cli, "config", "show")
    assert "1. user config" in plain and "read" in plain and "not present" in plain
    assert "unused: api_base is set" in " ".join(plain.split())


def test_version_comes_from_the_package(cli: CliRunner) -> None:
    assert invoke(cli, "--version").strip() == f"swe-team {version('swe-team')}"


def test_shell_completion_script_is_offered(cli: CliRunner) -> None:
    assert "--install-completion" in invoke(cli, "--help")
    # The shell is found from the parent process, as when a user types it in bash.
    shown = subprocess.run(
        ["bash", "-c", f"{shlex.quote(sys.executable)} -m swe_team --show-completion"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "_SWE_TEAM_COMPLETE" in shown.stdout and "complete " in shown.stdout, shown.stderr
