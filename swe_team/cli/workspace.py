"""`swe-team workspace …`: build the Docker workspace image, list and reap job containers and volumes."""

from __future__ import annotations

import time

import typer

from swe_team.cli.common import guarded, out, settings_for

app = typer.Typer(name="workspace", help="Docker workspaces: build the base image, list and reap job containers.")


@app.command("build-image")
@guarded
def build_image_command(
    force: bool = typer.Option(False, "--force", help="Rebuild even when the image exists."),
) -> None:
    """Build the base image from Debian packages (mmdebstrap + docker import); a no-op when it exists."""
    from workspaces.docker import connect
    from workspaces.docker_image import build_image

    settings = settings_for()
    tag, built = build_image(
        connect(), settings.docker, lock_dir=settings.home / "cache", progress=typer.echo, force=force
    )
    typer.echo(f"image {tag} " + ("built" if built else "already present"))


@app.command("ls")
@guarded
def list_command() -> None:
    """List job containers and volumes with their owner, expiry and whether gc would reap them."""
    from rich.table import Table

    from workspaces.docker import connect
    from workspaces.docker_gc import list_objects

    objects = list_objects(connect())
    if not objects:
        typer.echo("no swe-team workspaces")
        return
    table = Table("kind", "name", "job", "status", "owner", "expires in")
    for obj in objects:
        hours = (obj.expires_at - time.time()) / 3600
        table.add_row(obj.kind, obj.name, obj.job_id, obj.status, obj.owner, f"{hours:.1f} h")
    out.print(table)


@app.command("gc")
@guarded
def gc_command(
    everything: bool = typer.Option(False, "--all", help="Remove every swe-team container and volume."),
) -> None:
    """Remove workspaces whose owner process died or whose expiry passed (with --all: every workspace)."""
    from workspaces.docker import connect
    from workspaces.docker_gc import reap

    removed = reap(connect(), everything=everything)
    for name in removed:
        typer.echo(f"removed {name}")
    typer.echo(f"{len(removed)} object(s) removed")

