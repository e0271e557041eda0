"""`swe-team config show` (the effective settings, where each came from, which wins) and `config init`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import SweTeamError
from swe_team.cli.common import console, guarded, out

if TYPE_CHECKING:
    from core.settings import Settings

app = typer.Typer(name="config", help="Inspect the configuration, or write a commented one.", no_args_is_help=True)

OVERRIDING = ("api_base", "model")
"""Top-level settings that, when set, replace the same setting of both model aliases (`Settings.alias`)."""


def precedence_notes(settings: Settings) -> dict[str, str]:
    """For settings that two names can give, which one the job uses, keyed by each name."""
    notes: dict[str, str] = {}
    for name in OVERRIDING:
        if getattr(settings, name):
            notes[name] = f"wins over models.*.{name}"
            for alias in ("instruct", "reasoning"):
                notes[f"models.{alias}.{name}"] = f"unused: {name} is set and wins"
        else:
            notes[name] = f"empty: each alias uses its models.*.{name}"
    if settings.environment.test_command:
        if settings.test_command != settings.environment.test_command:
            notes["environment.test_command"] = "unused: test_command is set and wins"
        else:
            notes["test_command"] = "from environment.test_command (test_command was empty)"
    return notes


@app.command("show")
@guarded
def show(
    repo: Annotated[Path | None, typer.Option(help="Include this repository's swe-team.toml.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print files and settings as JSON.")] = False,
) -> None:
    """Print the configuration files read (and looked for), then every setting, its value (secrets masked),
    where it came from, and which of two names for one value wins."""
    from rich.markup import escape
    from rich.table import Table

    from core.settings import config_files, describe, load_settings

    folder = repo.resolve() if repo else None
    settings, provenance = load_settings(folder)
    notes = precedence_notes(settings)
    rows = [(key, value, source, notes.get(key, "")) for key, value, source in describe(settings, provenance)]
    files = [(what, path, path.is_file()) for what, path in config_files(folder)]
    if as_json:
        listed = [{"file": what, "path": str(path), "read": read} for what, path, read in files]
        settings_rows = [{"key": k, "value": v, "source": s, "note": n} for k, v, s, n in rows]
        out.print_json(json.dumps({"files": listed, "settings": settings_rows}))
        return
    out.print("configuration files, lowest priority first (then SWE_TEAM_* variables, then flags):")
    for number, (what, path, read) in enumerate(files, 1):
        state = "[green]read[/]" if read else "[dim]not present[/]"
        out.print(f"  {number}. {what:18} {escape(str(path))}  {state}")
    table = Table("setting", "value", "from")
    for key, value, source, _ in rows:
        table.add_row(key, escape(value), escape(source))
    out.print(table)
    out.print("where two settings give one value:")
    for key, _, _, note in rows:
        if note:
            out.print(f"  {key:26} {note}", markup=False, highlight=False, soft_wrap=True)


@app.command("init")
@guarded
def init(
    path: Annotated[
        Path | None, typer.Option(help="Where to write it (default: the user config, ~/.config/swe-team/config.toml).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace the file if it exists.")] = False,
) -> None:
    """Write a configuration file naming every setting, with its default and what it does, all commented out."""
    from core.settings import config_files
    from swe_team.cli.config_template import settings_template

    target = (path or config_files(None)[0][1]).expanduser()
    if target.is_dir():
        raise SweTeamError(f"{target} is a folder", hint="give --path a file name, such as swe-team.toml")
    if target.exists() and not force:
        raise SweTeamError(f"{target} exists already", hint="pass --force to replace it, or --path to write elsewhere")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(settings_template(), encoding="utf-8")
    except OSError as exc:
        raise SweTeamError(f"cannot write {target}: {exc.strerror or exc}", hint="pick a folder you can write") from exc
    console.print(f"wrote {target}: uncomment a line to change a setting; `swe-team config show` shows the result")
