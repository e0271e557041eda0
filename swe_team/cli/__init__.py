"""The `swe-team` command: each module of this package is a typer app; heavy imports stay inside the commands.

Top-level commands (run, jobs, chat, index …) come from nameless apps; groups (config, model …) are named apps.
"""

from __future__ import annotations

from typing import Annotated

import typer

from swe_team.cli import (
    chat,
    ci,
    config,
    env,
    eval,
    fleet,
    graph,
    jobs,
    memory,
    model,
    pr,
    review,
    tests_gap,
    trajectory,
    workspace,
)

app = typer.Typer(
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


for _module in (
    jobs,
    config,
    model,
    graph,
    workspace,
    env,
    memory,
    chat,
    pr,
    trajectory,
    fleet,
    eval,
    tests_gap,
    ci,
    review,
):
    app.add_typer(_module.app)
