"""The `swe-team` command: each module of this package is a typer app; heavy imports stay inside the commands.

Top-level commands (run, jobs, chat, index …) come from nameless apps; groups (config, model …) are named apps.
A command's module is imported only when that command runs, so `swe-team locate` does not build the other commands.
"""

from __future__ import annotations

from importlib import import_module
from typing import Annotated

import typer
from typer import _click
from typer.core import TyperGroup

COMMANDS_OF_MODULE: dict[str, tuple[str, ...]] = {
    "jobs": ("run", "resume", "jobs", "show"),
    "config": ("config",),
    "model": ("model",),
    "graph": ("index", "locate", "graph"),
    "workspace": ("workspace",),
    "env": ("env",),
    "memory": ("memory",),
    "chat": ("chat", "approve", "reject"),
    "pr": ("pr",),
    "trajectory": ("trajectory",),
    "fleet": ("submit", "worker", "cancel", "workers"),
    "eval": ("eval",),
    "tests_gap": ("tests-gap",),
    "ci": ("ci",),
    "review": ("review",),
}
"""The modules of this package that hold commands, in the order `--help` lists them, and the top-level names each
adds (a named app adds its group). A name missing here still works: an unknown name imports every module."""
MODULE_OF_COMMAND = {name: module for module, names in COMMANDS_OF_MODULE.items() for name in names}


class LazyCommands(TyperGroup):
    """The top-level group: a command's module is imported and its click commands built when that command runs.
    Listing the commands (`--help`, completion, a name to correct) imports them all, in `COMMANDS_OF_MODULE` order."""

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in self.commands:
            module = MODULE_OF_COMMAND.get(cmd_name)
            if module is not None:
                self._add_module(module)
            if cmd_name not in self.commands:
                self._add_every_module()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        self._add_every_module()
        return super().list_commands(ctx)

    def _add_module(self, module: str) -> None:
        group = typer.main.get_group(import_module(f"{__name__}.{module}").app)
        self.commands.update({group.name: group} if group.name else group.commands)

    def _add_every_module(self) -> None:
        for module, names in COMMANDS_OF_MODULE.items():
            if not all(name in self.commands for name in names):
                self._add_module(module)
        listed = [name for names in COMMANDS_OF_MODULE.values() for name in names]
        ordered = {name: self.commands[name] for name in listed if name in self.commands}
        self.commands = {**ordered, **self.commands}


app = typer.Typer(
    cls=LazyCommands,
    name="swe-team",
    help="A self-hosted team of agents (planner, localizer, coder, tester, reviewer) that fixes bugs and builds "
    "features in your repository.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("swe-team")
    except PackageNotFoundError:
        return "unknown (not installed as a package)"


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"swe-team {installed_version()}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    """A self-hosted team of agents (planner, localizer, coder, tester, reviewer) that fixes bugs and builds
    features in your repository."""
