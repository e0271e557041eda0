"""`swe-team memory …`: look into, edit, move and measure the experience memory."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from core.errors import SweTeamError
from swe_team.cli.common import guarded, out, settings_for

if TYPE_CHECKING:
    from memory.experience import Experience, ExperienceStore

app = typer.Typer(name="memory", help="Lessons from earlier jobs: list, search, show, forget, export, import.")

RepoOpt = Annotated[str | None, typer.Option("--repo", help="Repository path or identity; default: all.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the stored records) instead of text.")]
BackendOpt = Annotated[
    str | None, typer.Option("--memory", help="Store to use: sqlite or redis (default: from settings).")
]


@contextmanager
def _output(output: str) -> Iterator[TextIO]:
    """Standard output for `-`, else the named file."""
    if output == "-":
        yield sys.stdout
        return
    with open(output, "w", encoding="utf-8") as handle:
        yield handle


@contextmanager
def _store(backend: str | None) -> Iterator[ExperienceStore]:
    from memory.experience import open_store

    settings = settings_for(Path.cwd(), memory=backend)
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def _repo(repo: str | None) -> str | None:
    from memory.experience import repo_identity

    return repo_identity(repo) if repo else None


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _print_rows(header: list[str], rows: list[list[str]]) -> None:
    """Aligned columns under a header; ids and every column but the last whole. The last (the title) is cut at
    the terminal's width on a terminal and whole when piped."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lead = sum(widths) + 2 * len(widths)
    room = max(20, out.width - lead) if out.is_terminal else None
    for row in [header, *rows]:
        title = row[-1] if room is None or len(row[-1]) <= room else row[-1][: room - 1] + "…"
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + title)


def _cells(exp: Experience) -> list[str]:
    from datetime import UTC, datetime

    from memory.experience.summary import headline

    when = datetime.fromtimestamp(exp.finished_at, UTC).strftime("%Y-%m-%d %H:%M")
    return [exp.id, when, exp.status, exp.repo, headline(exp)]


LESSON_COLUMNS = ["id", "finished (UTC)", "outcome", "repository", "title"]


@app.command("ls")
@guarded
def list_lessons(repo: RepoOpt = None, limit: int = 50, as_json: JsonOpt = False, backend: BackendOpt = None) -> None:
    """Newest lessons first."""
    with _store(backend) as store:
        found = store.recent(repo=_repo(repo), limit=limit)
    if as_json:
        _emit([exp.model_dump(mode="json") for exp in found])
        return
    if not found:
        where = f" for {_repo(repo)}" if repo else ""
        typer.echo(f"no lessons stored yet{where}: every finished job leaves one", err=True)
        return
    _print_rows(LESSON_COLUMNS, [_cells(exp) for exp in found])


@app.command("search")
@guarded
def search(query: str, repo: RepoOpt = None, k: int = 5, as_json: JsonOpt = False, backend: BackendOpt = None) -> None:
    """Lessons most relevant to QUERY, the repository's own first."""
    with _store(backend) as store:
        hits = store.search(query, repo=_repo(repo), k=k)
    if as_json:
        _emit(
            [
                {
                    "id": h.id,
                    "score": h.score,
                    "kind": h.kind,
                    "scope": h.scope,
                    "matched": h.matched_terms,
                    "experience": h.experience.model_dump(mode="json"),
                }
                for h in hits
            ]
        )
        return
    if not hits:
        typer.echo("no matching lessons; `swe-team memory ls` lists them all", err=True)
        return
    rows = [[f"{h.score:.3f}", h.kind, h.scope, *_cells(h.experience)] for h in hits]
    _print_rows(["score", "kind", "scope", *LESSON_COLUMNS], rows)


@app.command("show")
@guarded
def show(exp_id: str, as_json: JsonOpt = False, backend: BackendOpt = None) -> None:
    """One lesson in full, as Markdown (rendered on a terminal); --json prints the stored record."""
    with _store(backend) as store:
        exp = store.get(exp_id)
    if exp is None:
        raise SweTeamError(f"no lesson with id {exp_id}; `swe-team memory ls` lists them")
    if as_json:
        _emit(exp.model_dump(mode="json"))
        return
    from memory.experience.markdown import lesson_markdown

    text = lesson_markdown(exp)
    if out.is_terminal:
        from rich.markdown import Markdown

        out.print(Markdown(text))
    else:
        typer.echo(text, nl=False)


@app.command("forget")
@guarded
def forget(
    exp_ids: Annotated[list[str] | None, typer.Argument(help="Lesson ids.")] = None,
    repo: RepoOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm forgetting every lesson of --repo.")] = False,
    as_json: JsonOpt = False,
    backend: BackendOpt = None,
) -> None:
    """Delete lessons by id, or every lesson of --repo (with --yes)."""
    if not exp_ids and not (repo and yes):
        raise SweTeamError("give lesson ids, or --repo REPO --yes to forget a whole repository")
    with _store(backend) as store:
        targets = list(exp_ids or []) or [exp.id for exp in store.iter_all(repo=_repo(repo))]
        forgotten = [i for i in targets if store.forget(i)]
    if as_json:
        _emit({"forgotten": forgotten})
    else:
        typer.echo(f"forgot {len(forgotten)} lesson(s)")


@app.command("export")
@guarded
def export(
    output: Annotated[str, typer.Option("--output", "-o", help="JSONL file, or - for stdout.")] = "-",
    repo: RepoOpt = None,
    backend: BackendOpt = None,
) -> None:
    """Write lessons and repository facts as JSON lines."""
    from memory.experience.transfer import export_store

    with _store(backend) as store, _output(output) as handle:
        count = export_store(store, handle, repo=_repo(repo))
    typer.echo(f"exported {count} record(s)", err=True)


@app.command("import")
@guarded
def import_(path: Path, as_json: JsonOpt = False, backend: BackendOpt = None) -> None:
    """Add lessons from a file written by `memory export` (same ids are replaced)."""
    from memory.experience.transfer import import_lines

    if not path.is_file():
        raise SweTeamError(f"{path} does not exist")
    with _store(backend) as store, path.open(encoding="utf-8") as handle:
        result = import_lines(store, handle, str(path))
    if as_json:
        _emit(asdict(result))
    else:
        typer.echo(f"imported {result.experiences} lesson(s), {result.facts} fact set(s); skipped {result.skipped}")


@app.command("stats")
@guarded
def stats(repo: RepoOpt = None, as_json: JsonOpt = False, backend: BackendOpt = None) -> None:
    """How many lessons, per repository and outcome; writes waiting on disk."""
    with _store(backend) as store:
        result = store.stats()
        facts = store.get_facts(_repo(repo) or "") if repo else None
    data = asdict(result)
    if repo:
        name = _repo(repo) or ""
        data["repos"] = {name: result.repos.get(name, 0)}
        data["facts"] = facts.model_dump(mode="json") if facts else None
    if as_json:
        _emit(data)
        return
    typer.echo(f"{result.backend} store at {result.location}: {result.experiences} lesson(s)")
    for name, count in data["repos"].items():
        typer.echo(f"  {count:6d}  {name}")
    typer.echo("  by outcome: " + ", ".join(f"{k} {v}" for k, v in result.by_status.items()))
    if result.pending_writes:
        typer.echo(f"  {result.pending_writes} write(s) queued on disk until the server answers")


PREFERENCE_FORMATS = ("pairs", "actionrl", "dpo")


@app.command("export-preferences")
@guarded
def export_preferences_command(
    output: Annotated[str, typer.Option("--output", "--out", "-o", help="JSONL file, or - for stdout.")] = "-",
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="pairs: gate texts (plan, locations, diff) as chosen/rejected; actionrl: per patch-gate answer, the "
            "shared action prefix and the chosen and rejected action where they part; dpo: prompt with the whole "
            "chosen and rejected action sequences (TRL's DPOTrainer format).",
        ),
    ] = "pairs",
    repo: RepoOpt = None,
    backend: BackendOpt = None,
) -> None:
    """Preference data from what people decided at gates, as JSON lines."""
    from memory.experience import export_preferences
    from memory.experience.preferences import ActionFormat, export_action_preferences

    if fmt not in PREFERENCE_FORMATS:
        raise SweTeamError(f"unknown --format {fmt!r}", hint=f"use one of: {', '.join(PREFERENCE_FORMATS)}")
    with _store(backend) as store, _output(output) as handle:
        if fmt == "pairs":
            count = export_preferences(store.iter_all(repo=_repo(repo)), handle)
            typer.echo(f"exported {count} preference pair(s)", err=True)
            return
        shape: ActionFormat = "actionrl" if fmt == "actionrl" else "dpo"
        written, skipped = export_action_preferences(store.iter_all(repo=_repo(repo)), handle, shape)
    unpaired = f"; skipped {skipped} answer(s) with nothing to prefer (accepted as proposed, rejected, never settled)"
    typer.echo(f"exported {written} {fmt} record(s){unpaired if skipped else ''}", err=True)
