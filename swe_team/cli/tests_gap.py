"""`swe-team tests-gap`: the tester writes tests for the functions a change touched or the tests miss; only
tests that pass and raise coverage are kept, on a new branch, with coverage before and after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

import swe_team.cli.job_options as opts
from swe_team.cli.common import console, guarded, out, settings_for
from swe_team.cli.repository import HERE, repository_or_here
from swe_team.cli.tables import keep_whole, print_table

if TYPE_CHECKING:
    from swe_team.tests_gap.result import GapResult

app = typer.Typer()


@app.command("tests-gap")
@guarded
def tests_gap(
    repo: Annotated[
        Path | None, typer.Option(show_default=HERE, help="The git repository whose tests to complete.")
    ] = None,
    base: Annotated[
        str,
        typer.Option(
            metavar="REF",
            help="Write tests for the functions changed since this branch, tag or commit; without it, for the "
            "functions the tests cover least.",
        ),
    ] = "",
    max_functions: Annotated[int, typer.Option(help="At most this many functions (1 or more) get new tests.")] = 5,
    branch: Annotated[
        bool, typer.Option(help="Write the kept tests to a new branch swe-team/<job id> of the repository.")
    ] = True,
    workspace: opts.WorkspaceKind = None,
    test_command: Annotated[
        str | None, typer.Option(help="The pytest command that runs the tests (run under coverage).")
    ] = None,
    model: opts.Model = None,
    api_base: opts.ApiBase = None,
    allow_dirty: opts.AllowDirty = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Fill test gaps: measure coverage, have the tester write tests for boundaries and error paths, keep the
    tests that pass and raise coverage, and commit them to a branch."""
    from swe_team.tests_gap.job import GapRequest, TestsGapRun

    root = repository_or_here(repo)
    flags = {"model": model, "api_base": api_base, "workspace": workspace, "test_command": test_command}
    settings = settings_for(root.resolve() if root.exists() else None, **flags)
    request = GapRequest(
        repo=root,
        base=base,
        max_functions=max_functions,
        branch=branch,
        allow_dirty=allow_dirty,
        flags={k: v for k, v in flags.items() if v is not None},
    )
    result = TestsGapRun(settings, console).run(request)
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
    else:
        print_result(result)


def print_result(result: GapResult) -> None:
    """Coverage of each function before and after, what became of each test, and where the branch is."""
    rows = [
        [
            f.target.id + (" (changed)" if f.changed else ""),
            f"{f.before.covered_lines}/{f.before.lines} → {f.after.covered_lines}/{f.after.lines}",
            f"{f.before.covered_branches}/{f.before.branches} → {f.after.covered_branches}/{f.after.branches}",
            f"{f.before.percent:.0f}% → {f.after.percent:.0f}%",
        ]
        for f in result.functions
    ]
    if rows:
        total = [
            "total",
            f"{result.before.covered_lines}/{result.before.lines} → {result.after.covered_lines}/{result.after.lines}",
            f"{result.before.covered_branches}/{result.before.branches} → "
            f"{result.after.covered_branches}/{result.after.branches}",
            f"{result.before.percent:.0f}% → {result.after.percent:.0f}%",
        ]
        from rich.table import Table

        table = Table(title="Coverage of the functions tested, before → after")
        for header in ("function", "lines", "branches", "coverage"):
            table.add_column(header)
        for row in [*rows, total]:
            table.add_row(*map(escape, row))
        keep_whole(table, "function", [row[0] for row in rows])
        print_table(table, out)
    for verdict in result.verdicts:
        mark = "[green]kept[/]   " if verdict.kept else "[yellow]dropped[/]"
        out.print(f"{mark} {escape(verdict.test_id)}: {escape(verdict.reason)}")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if result.branch:
        out.print(f"branch {escape(result.branch)} in {escape(result.repo)} ({len(result.commits)} commit)")
    elif result.job_id:
        out.print(f"no branch written; job {result.job_id}")
