"""`swe-team env show|build REPO`: the environment a repository's tests run in, every choice with its reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from swe_team.cli.common import guarded, out, settings_for
from swe_team.cli.repository import HERE, repository_or_here

if TYPE_CHECKING:
    from workspaces.environment.record import EnvironmentRecord

app = typer.Typer(
    name="env",
    help="Repository environments: interpreter, dependencies as of the commit, test runner.",
    no_args_is_help=True,
)

RepoArgument = Annotated[
    Path | None,
    typer.Argument(help="The repository (its swe-team.toml \\[environment] table applies).", show_default=HERE),
]
CommitOption = Annotated[str, typer.Option("--commit", help="The commit whose files decide.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the record as JSON.")]


def _print(record: EnvironmentRecord, as_json: bool, requirements: bool) -> None:
    if as_json:
        out.print_json(json.dumps(record.to_dict()))
        return
    for line in record.lines():
        typer.echo(line)
    if requirements:
        typer.echo("Requirements resolved together:")
        for requirement in record.requirements:
            typer.echo(f"  {requirement}")


@app.command("show")
@guarded
def show_command(repo: RepoArgument = None, commit: CommitOption = "HEAD", as_json: JsonOption = False) -> None:
    """Print the environment inferred for REPO (no build, no network); the built one when its image exists."""
    from workspaces.docker import connect, engine_available
    from workspaces.docker_env import built_record, describe_environment

    root = repository_or_here(repo, "swe-team env show REPO").resolve()
    settings = settings_for(root)
    record = describe_environment(root, commit, settings)
    if engine_available():
        record = built_record(connect(), root, commit, settings) or record
    _print(record, as_json, requirements=True)


@app.command("build")
@guarded
def build_command(repo: RepoArgument = None, commit: CommitOption = "HEAD", as_json: JsonOption = False) -> None:
    """Build REPO's environment image now (as a Docker job would), with progress; a no-op when it exists."""
    from workspaces.docker import connect
    from workspaces.docker_env import ensure_environment

    root = repository_or_here(repo, "swe-team env build REPO").resolve()
    record = ensure_environment(connect(), root, commit, settings_for(root), progress=typer.echo)
    _print(record, as_json, requirements=False)
