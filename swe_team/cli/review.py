"""`swe-team review`: a change reviewed as findings on the lines it touches, for a terminal, a file or a CI upload.

Exit codes: 0 reviewed; 1 an error (a ref that names no commit, an unreadable diff, a model pin mismatch, an
unreachable model); 4 the change adds dangerous code (`eval`, `exec`, `os.system`, `shell=True`, unpickling,
unsafe `yaml.load`, TLS checks off) that `review.dangerous_code_allow` does not let pass. The report is written
in full whatever the exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape

from core.errors import SweTeamError
from swe_team.cli.common import console, guarded, out, read_text_file, settings_for
from swe_team.cli.repository import HERE, repository_or_here

if TYPE_CHECKING:
    from swe_team.review.change import Change
    from swe_team.review.result import ReviewResult

app = typer.Typer()

ReviewFormat = Literal["json", "sarif", "codequality", "markdown"]


def _change(repo: Path | None, base: str | None, head: str | None, diff: Path | None) -> Change:
    from swe_team.review.change import change_between, change_from_diff

    if (base is None) == (diff is None):
        raise SweTeamError("give exactly one of --base REF or --diff FILE", hint="e.g. swe-team review --base main")
    if head is not None and base is None:
        raise SweTeamError("--head goes with --base", hint="swe-team review --base main --head my-branch")
    if diff is not None:
        text = sys.stdin.read() if str(diff) == "-" else read_text_file(diff, "diff file")
        folder = repo if repo is not None else Path.cwd()
        return change_from_diff(folder, text, "standard input" if str(diff) == "-" else str(diff))
    return change_between(repository_or_here(repo), base or "", head or "")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("swe-team")
    except PackageNotFoundError:
        return "0"


def _say_how_it_went(result: ReviewResult, written_to: Path | None) -> None:
    counted = f"{len(result.findings)} findings" if result.findings else "no findings"
    where = f", written to {escape(str(written_to))}" if written_to else ""
    console.print(f"review of {escape(result.described)}: score {result.score}/100, {counted}{where}")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    for hit in result.dangerous_code:
        where = f"{hit['path']}:{hit['line']} [{hit['rule']}] {hit['code']}"
        console.print(f"[red]dangerous code:[/] {escape(where)}")


@app.command()
@guarded
def review(
    base: Annotated[
        str | None, typer.Option("--base", help="Review what is added since this branch, tag or commit.")
    ] = None,
    head: Annotated[
        str | None, typer.Option("--head", help="The commit under review.", show_default="the working tree")
    ] = None,
    diff: Annotated[
        Path | None,
        typer.Option("--diff", help="Review a saved unified diff (- reads stdin); new files are read from --repo."),
    ] = None,
    repo: Annotated[Path | None, typer.Option("--repo", help="The repository.", show_default=HERE)] = None,
    output_format: Annotated[
        ReviewFormat | None,
        typer.Option(
            "--format", help="How the findings are written.", show_default="markdown on a terminal, else json"
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the findings to this file.", show_default="stdout")
    ] = None,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="Deterministic checks only: dangerous code, Bandit, secrets, tests.")
    ] = False,
    max_findings: Annotated[
        int | None,
        typer.Option("--max-findings", min=1, help="Report at most this many.", show_default="review.max_findings"),
    ] = None,
) -> None:
    """Review a change: findings on the lines it touches from the model and from deterministic checks (dangerous
    code, Bandit, secrets, changed functions whose tests did not change), with a summary and a score. Exit 4 when
    it adds dangerous code."""
    from swe_team.review.formats import render
    from swe_team.review.result import EXIT_DANGEROUS_CODE
    from swe_team.review.run import review_with_settings

    change = _change(repo, base, head, diff)
    result = review_with_settings(change, settings_for(change.repo), not no_model, max_findings)
    on_terminal = output is None and out.file.isatty()
    chosen: ReviewFormat = output_format or ("markdown" if on_terminal else "json")
    text = render(result, chosen, _version())
    if on_terminal and chosen == "markdown":
        from rich.markdown import Markdown

        out.print(Markdown(text))
    elif output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SweTeamError(f"cannot write {output}: {exc.strerror or exc}") from exc
    else:
        out.file.write(text if text.endswith("\n") else text + "\n")
    _say_how_it_went(result, output)
    if result.dangerous_code:
        raise typer.Exit(EXIT_DANGEROUS_CODE)
