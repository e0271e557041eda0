"""The `swe-team` command's entry point: a `locate` goes to the resident server when one runs (see
`swe_team/resident/`), everything else, and a `locate` no server takes, to the typer app."""

from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["locate"] and "--no-server" not in argv:
        from swe_team.resident.client import run_resident

        code = run_resident(argv)
        if code is not None:
            sys.exit(code)
    from swe_team.cli import app

    app(prog_name="swe-team")
