"""Printing tables so that nothing in them is cut: piped output is as wide as the widest row."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

UNLIMITED = 1 << 16


def print_table(table: Table, console: Console) -> None:
    """On a terminal, at the terminal's width; piped or redirected, as wide as the table needs, so that no id is
    shortened to `2026120…` and no row folds (a script that needs the data reads `--json`)."""
    if console.is_terminal:
        console.print(table)
        return
    needed = Measurement.get(console, console.options.update_width(UNLIMITED), table).maximum
    Console(file=console.file, width=max(needed, console.width), color_system=None, highlight=False).print(table)


def keep_whole(table: Table, header: str, values: Iterable[str]) -> None:
    """The column `header` keeps each of `values` (ids, names) on one line and whole, even on a narrow terminal."""
    column = next(column for column in table.columns if column.header == header)
    column.no_wrap = True
    column.min_width = max((len(value) for value in values), default=column.min_width or 0)
