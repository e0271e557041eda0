"""`swe-team ci diagnose|regress|answer`: CI mode — why a build failed, and how well diagnosis does on saved cases.

Exit codes of `ci diagnose`: 0 the diagnosis is the answer; 1 an error (an unreadable log, a model pin mismatch,
an unreachable model); 3 the confidence is under `ci.confidence_threshold`: the diagnosis is printed marked for a
person and a job waits in `swe-team jobs --waiting`. `ci regress` exits 4 when top-3 accuracy is under
`--fail-under`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from core.errors import SweTeamError
from swe_team.cli.common import console, guarded, out, settings_for

if TYPE_CHECKING:
    from core.settings import Settings
    from swe_team.ci.diagnosis import Diagnosis
    from swe_team.ci.pipeline import RepositoryView
    from swe_team.ci.regress import CaseResult

app = typer.Typer(name="ci", help="CI mode: diagnose a failed build log; score diagnosis on saved cases.")
app.info.no_args_is_help = True

EXIT_FOR_PERSON = 3
EXIT_BELOW_ACCURACY = 4
MAX_LOG_BYTES = 64 * 2**20
"""A log larger than this is read from its end (the failure is there; the start is setup)."""


def read_log_text(source: str) -> str:
    """The log named (`-` is standard input) as text; bytes that are not UTF-8 are replaced, not fatal."""
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise SweTeamError(f"log {path} {'is not a file' if path.exists() else 'does not exist'}")
        try:
            with path.open("rb") as handle:
                handle.seek(max(0, path.stat().st_size - MAX_LOG_BYTES))
                data = handle.read()
        except OSError as exc:
            raise SweTeamError(f"cannot read log {path}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SweTeamError("the log is empty", hint="pass the failed job's log file, or pipe it with --log -")
    return data[-MAX_LOG_BYTES:].decode("utf-8", "replace").replace("\x00", "")


def _repository(repo: Path | None) -> Path | None:
    """The repository named, else the git repository around the current folder, else none (paths as logged)."""
    if repo is not None:
        if not repo.is_dir():
            raise SweTeamError(f"repository {repo} is not a folder", hint="give --repo the checkout the build ran on")
        return repo
    from core.git import git

    top = git(Path.cwd(), "rev-parse", "--show-toplevel")
    return Path(top.stdout.strip()) if top.returncode == 0 else None


def _view(repo: Path | None, settings: Settings) -> RepositoryView:
    from swe_team.ci.pipeline import RepositoryView

    return RepositoryView(_repository(repo), settings)


@app.command("diagnose")
@guarded
def diagnose(
    log: Annotated[str, typer.Option("--log", help="The build log file, or - for standard input.")],
    repo: Annotated[
        Path | None,
        typer.Option("--repo", help="The checkout the build ran on.", show_default="the git repository you are in"),
    ] = None,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="Only the failing step, the first error and the ranked files.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diagnosis as JSON.")] = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown for a review comment.")] = False,
) -> None:
    """Say why a build failed: failing step, first error, files at fault; with the model, root cause, impact and
    one fix command. Exit 3 when the answer is too unsure and waits for a person."""
    from swe_team.ci.human_queue import hand_to_person
    from swe_team.ci.pipeline import diagnose as run_diagnosis

    if as_json and as_markdown:
        raise SweTeamError("give at most one of --json and --markdown")
    text = read_log_text(log)
    settings = settings_for(repo)
    view = _view(repo, settings)
    diagnosis = run_diagnosis(text, view, settings, use_model=not no_model)
    if diagnosis.needs_person:
        hand_to_person(settings, diagnosis, view.repo)
    _print(diagnosis, as_json, as_markdown)
    if diagnosis.needs_person:
        console.print(
            f"[yellow]marked for a person[/]: job {diagnosis.waiting_job} waits in `swe-team jobs --waiting`; "
            f"see it with `swe-team show {diagnosis.waiting_job}`, close it with `swe-team ci answer`"
        )
        sys.exit(EXIT_FOR_PERSON)


def _print(diagnosis: Diagnosis, as_json: bool, as_markdown: bool) -> None:
    from swe_team.ci.render import print_terminal, to_json, to_markdown

    if as_json:
        typer.echo(to_json(diagnosis))
    elif as_markdown:
        typer.echo(to_markdown(diagnosis), nl=False)
    else:
        print_terminal(diagnosis, out)


@app.command("regress")
@guarded
def regress(
    cases: Annotated[Path, typer.Option("--cases", help="A folder of cases: each a log and expected.json.")],
    no_model: Annotated[bool, typer.Option("--no-model", help="Score the model-free diagnosis only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print per-case results and accuracy as JSON.")] = False,
    fail_under: Annotated[
        float, typer.Option("--fail-under", min=0.0, max=1.0, help="Exit 4 when top-3 file accuracy is lower.")
    ] = 0.0,
) -> None:
    """Run diagnosis over a saved case set and print its accuracy: run it before a model upgrade."""
    import json
    from dataclasses import asdict

    from swe_team.ci.pipeline import RepositoryView
    from swe_team.ci.pipeline import diagnose as run_diagnosis
    from swe_team.ci.regress import Case, accuracy, load_cases, run_cases

    settings = settings_for()
    views: dict[Path | None, RepositoryView] = {}

    def diagnose_case(case: Case) -> Diagnosis:
        if case.repo not in views:
            views[case.repo] = RepositoryView(case.repo, settings)
        return run_diagnosis(read_log_text(str(case.log)), views[case.repo], settings, use_model=not no_model)

    results = run_cases(load_cases(cases), diagnose_case)
    totals = accuracy(results)
    if as_json:
        summary = {metric: {"right": r, "cases": n, "accuracy": round(r / n, 4)} for metric, (r, n) in totals.items()}
        typer.echo(json.dumps({"cases": [asdict(r) for r in results], "accuracy": summary}, indent=2))
    else:
        _print_regress(results, totals)
    right, scored = totals.get("top3", (0, 0))
    if scored and right / scored < fail_under:
        console.print(f"[red]top-3 accuracy {right / scored:.2f} is under --fail-under {fail_under:.2f}[/]")
        sys.exit(EXIT_BELOW_ACCURACY)


def _print_regress(results: list[CaseResult], totals: dict[str, tuple[int, int]]) -> None:
    from rich.table import Table

    from swe_team.ci.regress import METRICS
    from swe_team.cli.tables import print_table

    shown = [m for m in METRICS if m in totals]
    table = Table("case", *shown, "confidence", "top files")
    for result in results:
        marks = [("✓" if result.checks[m] else "✗") if m in result.checks else "" for m in shown]
        table.add_row(escape(result.name), *marks, f"{result.confidence:.2f}", escape(", ".join(result.top_files)))
    table.add_row("accuracy", *[f"{totals[m][0]}/{totals[m][1]}" for m in shown], "", "")
    print_table(table, out)


@app.command("answer")
@guarded
def answer(
    job_id: Annotated[str, typer.Argument(help="A CI diagnosis waiting for a person.")],
    accept: Annotated[
        bool, typer.Option("--accept/--reject", help="The diagnosis is right (accept) or wrong (reject).")
    ],
    comment: Annotated[str, typer.Option("--comment", help="What you found; kept with the job.")] = "",
) -> None:
    """Answer a CI diagnosis that waits for a person: it leaves `swe-team jobs --waiting`."""
    from swe_team.ci.human_queue import answer_waiting

    job = answer_waiting(settings_for(), job_id, accept, comment)
    console.print(f"job [bold]{job.id}[/]: {job.status}")
