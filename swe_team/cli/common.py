"""Helpers shared by the command modules: settings from flags, console, and turning errors into exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from swe_team.errors import SweTeamError

if TYPE_CHECKING:
    from swe_team.config import Settings

console = Console(stderr=True)
out = Console()


def settings_for(repo: Path | None = None, **flags: Any) -> Settings:
    from swe_team.config import load_settings

    settings, _ = load_settings(repo, {k: v for k, v in flags.items() if v is not None})
    return settings


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a `SweTeamError` as a one-screen message and exit 1; Ctrl-C exits 130 with a note."""
    try:
        yield
    except SweTeamError as exc:
        console.print(f"[red]error:[/] {escape(exc.user_message())}")
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("\n[yellow]interrupted[/]")
        sys.exit(130)


def guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    import functools

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors():
            return function(*args, **kwargs)

    return wrapper
