"""The `swe-team` command. Each module of this package registers its commands; heavy imports stay inside them."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="swe-team",
    help="A self-hosted team of agents (planner, localizer, coder, tester, reviewer) that fixes bugs and builds "
    "features in your repository.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

COMMAND_MODULES = (
    "swe_team.cli.jobs",
    "swe_team.cli.config",
    "swe_team.cli.model",
    "swe_team.cli.graph",
    "swe_team.cli.workspace",
    "swe_team.cli.memory",
    "swe_team.cli.chat",
    "swe_team.cli.fleet",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)
