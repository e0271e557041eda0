"""A command imports only its own module of `swe_team.cli`, and the table saying which module holds which command is
complete, so no command quietly falls back to importing them all; `--help` still lists every command."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module

import typer
from typer.testing import CliRunner

from swe_team.cli import COMMANDS_OF_MODULE, app

IMPORTED_CLI_MODULES = """
import sys
import typer
from swe_team.cli import app
try:
    typer.main.get_command(app).main(sys.argv[1:], prog_name="swe-team")
except SystemExit:
    pass
print(" ".join(sorted(name for name in sys.modules if name.startswith("swe_team.cli."))))
"""


def _cli_modules_imported_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_CLI_MODULES, *args], capture_output=True, text=True, timeout=60, check=True
    )
    return set(done.stdout.split("\n")[-2].split())


def test_each_module_adds_the_commands_the_table_names() -> None:
    for module, names in COMMANDS_OF_MODULE.items():
        group = typer.main.get_group(import_module(f"swe_team.cli.{module}").app)
        added = (group.name,) if group.name else tuple(group.commands)
        assert added == names, module


def test_locate_imports_no_other_command_module() -> None:
    imported = _cli_modules_imported_by("locate", "--help")
    command_modules = {f"swe_team.cli.{module}" for module in COMMANDS_OF_MODULE}
    assert imported & command_modules == {"swe_team.cli.graph"}


def test_help_lists_every_command_in_table_order() -> None:
    listed = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    names = [name for names in COMMANDS_OF_MODULE.values() for name in names]
    positions = [listed.index(f"│ {name} ") for name in names]
    assert positions == sorted(positions)


def test_a_misspelled_command_is_still_corrected() -> None:
    result = CliRunner().invoke(app, ["locat"])
    assert result.exit_code == 2
    assert "locate" in result.output
