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
    """Print the configuration files read (and looked for), then every setting, its value (secrets masked) and
    where it came from."""
    from rich.table import Table

    from core.settings import config_files, describe, load_settings

    folder = repo.resolve() if repo else None
    settings, provenance = load_settings(folder)
    rows = describe(settings, provenance)
    files = [(what, path, path.is_file()) for what, path in config_files(folder)]
    if as_json:
        listed = [{"file": what, "path": str(path), "read": read} for what, path, read in files]
        settings_rows = [{"key": k, "value": v, "source": s} for k, v, s in rows]
        out.print_json(json.dumps({"files": listed, "settings": settings_rows}))
        return
    out.print("configuration files, lowest priority first (then SWE_TEAM_* variables, then flags):")
    for what, path, read in files:
        out.print(f"  {what:18} {path}  " + ("[green]read[/]" if read else "[dim]not present[/]"))
    table = Table("setting", "value", "from")
    for key, value, source in rows:
        table.add_row(key, value, source)
    out.print(table)

