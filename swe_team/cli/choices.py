"""Options whose values come from a fixed set, typed so that `--help` lists the choices instead of a bare type.

A `Literal` annotation is enough for typer: `--help` shows `<auto|local|docker>` and a wrong value is refused with
the list. A comma list (the gates of `--approve`) cannot be a `Literal`: `approve_policy` parses it and names the
choices when a name is wrong; `APPROVE_HELP` lists them in `--help`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import typer

WorkspaceName = Literal["auto", "local", "docker"]
PythonVersion = Literal["3.9", "3.11", "3.13"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Language(StrEnum):
    """The code graph's languages (memory.codegraph.languages); `typescript` brings `tsx` along. An enum, not a
    `Literal`, because typer takes a list of enum values but not a list of literals."""

    PYTHON = "python"
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    TSX = "tsx"
    JAVA = "java"
    GO = "go"


GATE_NAMES = ("plan", "locations", "patch", "final", "patch-on-fail")
APPROVE_HELP = f"auto, all, or a comma list of {', '.join(GATE_NAMES)}"
"""The values of `--approve`, for its help: one of two words, or a comma list of gates."""


def approve_policy(value: str) -> str:
    """`--approve` as typed, once every name in it is a gate (or it is `auto` or `all`)."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    if names in ([], ["auto"], ["all"]):
        return value.strip()
    unknown = [name for name in names if name not in GATE_NAMES]
    if unknown:
        raise typer.BadParameter(
            f"unknown gate {', '.join(map(repr, unknown))}: use auto, all, or a comma list of {', '.join(GATE_NAMES)}"
        )
    return ",".join(names)
