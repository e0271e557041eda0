"""`swe-team model serve|stop|status`: the embedded llama.cpp server with the bundled SmolLM2 model."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from swe_team.cli.common import console, guarded, out, settings_for

if TYPE_CHECKING:
    from core.settings import Settings

app = typer.Typer(name="model", help="Manage the local llama.cpp model server.", no_args_is_help=True)

PortOption = Annotated[
    int | None, typer.Option(help="Port of the local server.", show_default="the local_model.port setting")
]


def _settings(port: int | None) -> Settings:
    return settings_for(None, **{"local_model.port": port})


@app.command("serve")
@guarded
def serve(port: PortOption = None) -> None:
    """Start the local model server in the background (or find it running) and print its URL."""
    from core.model import local_model

    settings = _settings(port)
    api_base = local_model.serve(settings, progress=lambda message: console.print(f"[dim]{message}[/]"))
    out.print(api_base)
    console.print(f"use it with: SWE_TEAM_API_BASE={api_base} swe-team run …  (stop: swe-team model stop)")


@app.command("stop")
@guarded
def stop(port: PortOption = None) -> None:
    """Stop the local model server started by `swe-team model serve`."""
    from core.model import local_model

    stopped = local_model.stop(_settings(port))
    out.print("stopped" if stopped else "no local model server was running")


@app.command("status")
@guarded
def status(
    port: PortOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show whether the local model server runs and answers: pid, port, health, model file, log."""
    from core.model import local_model

    info = local_model.status(_settings(port))
    if as_json:
        out.print_json(json.dumps(info.to_dict()))
        return
    state = "healthy" if info.healthy else ("running, not answering" if info.running else "stopped")
    out.print(f"local model: {state}")
    for label, value in (
        ("pid", info.pid),
        ("url", info.api_base),
        ("model", info.model_path),
        ("log", info.log_path),
    ):
        out.print(f"  {label:6} {value if value is not None else '-'}", soft_wrap=True)
    if not info.running:
        raise typer.Exit(code=3)
