"""`swe-team config show`: the effective settings and the layer each value came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from swe_team.cli.common import guarded, out

app = typer.Typer(name="config", help="Inspect the configuration.", no_args_is_help=True)


@app.command("show")
@guarded
def show(
    repo: Annotated[Path | None, typer.Option(help="Include this repository's swe-team.toml.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print every setting, its value (secrets masked) and where it came from."""
    from rich.table import Table

    from core.settings import describe, load_settings

    settings, provenance = load_settings(repo.resolve() if repo else None)
    rows = describe(settings, provenance)
    if as_json:
        out.print_json(json.dumps([{"key": k, "value": v, "source": s} for k, v, s in rows]))
        return
    table = Table("setting", "value", "from")
    for key, value, source in rows:
        table.add_row(key, value, source)
    out.print(table)

