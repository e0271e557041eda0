"""`swe-team workspace …`: build the Docker workspace image, list and reap job containers and volumes."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape

from swe_team.cli.choices import PythonVersion
from swe_team.cli.common import guarded, out, settings_for
from swe_team.cli.tables import keep_whole, print_table

app = typer.Typer(name="workspace", help="Docker workspaces: build the base image, list and reap job containers.")


@app.command("build-image")
@guarded
def build_image_command(
    force: bool = typer.Option(False, "--force", help="Rebuild even when the image exists."),
    python: Annotated[
        PythonVersion | None,
        typer.Option("--python", help="The image of this Python.", show_default="the Python of docker.suite"),
    ] = None,
    build_layer: bool = typer.Option(False, "--build-layer", help="With compiler and Python headers."),
) -> None:
    """Build a base image from Debian packages (mmdebstrap + docker import); a no-op when it exists."""
    from workspaces.docker import connect
    from workspaces.docker_image import build_image

    settings = settings_for()
    tag, built = build_image(
        connect(),
        settings.docker,
        lock_dir=settings.home / "cache",
        progress=typer.echo,
        force=force,
        python=python or "",
        build_layer=build_layer,
    )
    typer.echo(f"image {tag} " + ("built" if built else "already present"))


@app.command("ls")
@guarded
def list_command(
    every_home: bool = typer.Option(False, "--all", help="Also list the workspaces of other SWE_TEAM_HOMEs."),
    as_json: bool = typer.Option(False, "--json", help="Print the workspaces as a JSON list."),
) -> None:
    """List this home's job containers and volumes with their owner, expiry and whether gc would reap them."""
    from rich.table import Table

    from workspaces.docker import connect
    from workspaces.docker_gc import list_objects

    objects = list_objects(connect(), home=None if every_home else settings_for().home)
    if as_json:
        out.print_json(json.dumps([{**asdict(obj), "reapable": obj.reapable} for obj in objects]))
        return
    if not objects:
        typer.echo("no swe-team workspaces" + ("" if every_home else " of this home (--all lists every home's)"))
        return
    table = Table("kind", "name", "job", "status", "owner", "expires in", *(["home"] if every_home else []))
    for obj in objects:
        hours = (obj.expires_at - time.time()) / 3600
        home = [obj.home or "?"] if every_home else []
        table.add_row(obj.kind, obj.name, obj.job_id, obj.status, escape(obj.owner), f"{hours:.1f} h", *home)
    keep_whole(table, "name", [obj.name for obj in objects])
    keep_whole(table, "job", [obj.job_id for obj in objects])
    print_table(table, out)


@app.command("gc")
@guarded
def gc_command(
    everything: bool = typer.Option(
        False, "--all", help="Remove every swe-team container and volume on the engine, of every SWE_TEAM_HOME."
    ),
) -> None:
    """Remove this home's workspaces whose owner process died or whose expiry passed (with --all: every
    workspace of every home, running ones included)."""
    from workspaces.docker import connect
    from workspaces.docker_gc import reap

    removed = reap(connect(), home=None if everything else settings_for().home, everything=everything)
    for name in removed:
        typer.echo(f"removed {name}")
    typer.echo(f"{len(removed)} object(s) removed")
