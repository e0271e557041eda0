"""`swe-team index`, `swe-team locate` and `swe-team graph show`: the code graph from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import SweTeamError
from swe_team.cli.common import guarded, out, read_text_file, settings_for

if TYPE_CHECKING:
    from memory.codegraph import CodeGraph
    from memory.codegraph.embeddings import Reranker

app = typer.Typer()
show_app = typer.Typer(name="graph", help="Query the code graph of a repository.", no_args_is_help=True)
app.add_typer(show_app)


def _build(repo: Path, languages: list[str] | None, show_progress: bool) -> CodeGraph:
    """The repository's code graph; a path that cannot be indexed is a `SweTeamError` saying why."""
    try:
        return _index(repo, languages, show_progress)
    except (OSError, ValueError) as exc:
        raise SweTeamError(f"cannot index {repo}: {exc}") from exc


def _index(repo: Path, languages: list[str] | None, show_progress: bool) -> CodeGraph:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from memory.codegraph import CodeGraph

    if not show_progress:
        return CodeGraph.build(repo, languages=languages)
    with Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None)

        def report(done: int, total: int, path: str) -> None:
            progress.update(task, completed=done, total=total, description=path[-60:])

        return CodeGraph.build(repo, languages=languages, progress=report)


@app.command()
@guarded
def index(
    path: Annotated[Path, typer.Argument(help="repository or any directory of source files")],
    lang: Annotated[list[str] | None, typer.Option("--lang", help="python, javascript, typescript, java, go")] = None,
) -> None:
    """Index a repository into the code graph (cached: a re-index parses only changed files)."""
    from rich.table import Table

    graph = _build(path, lang, show_progress=True)
    stats = graph.stats
    table = Table(title=f"code graph of {graph.root}", show_header=False)
    table.add_row("files", f"{stats.files} ({stats.parsed} parsed, {stats.from_cache} from cache)")
    table.add_row("symbols", ", ".join(f"{n} {kind}" for kind, n in sorted(stats.symbols.items())))
    table.add_row("edges", ", ".join(f"{n} {kind}" for kind, n in sorted(stats.edges.items())))
    table.add_row("time", f"{stats.seconds:.2f}s")
    out.print(table)
    for file, lines in sorted(stats.syntax_errors.items()):
        out.print(
            f"[yellow]syntax errors[/yellow] {file}: lines {', '.join(map(str, lines))} (indexed as far as it parses)"
        )


def _reranker(repo: Path, wanted: bool | None) -> Reranker | None:
    settings = settings_for(repo)
    if not (settings.localize_embeddings if wanted is None else wanted):
        return None
    from memory.codegraph.embeddings import home_reranker

    return home_reranker(settings.home)


@app.command()
@guarded
def locate(
    repo: Annotated[Path, typer.Option("--repo", help="repository or directory of source files")],
    task: Annotated[str, typer.Option("--task", help="the issue text")] = "",
    task_file: Annotated[Path | None, typer.Option("--task-file", help="file holding the issue text")] = None,
    top_k: Annotated[int, typer.Option("--top-k")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print a prediction object with reasons")] = False,
    embeddings: Annotated[
        bool | None,
        typer.Option(
            "--embeddings/--no-embeddings",
            help="also re-rank with the offline sentence model (extra `embeddings`); default: localize_embeddings",
        ),
    ] = None,
) -> None:
    """Rank the files and functions an issue is most likely about, without a model."""
    import json

    from memory.codegraph import localize

    if bool(task) == (task_file is not None):
        raise SweTeamError("give exactly one of --task TEXT or --task-file FILE")
    text = task or read_text_file(Path(task_file or ""), "task file")
    graph = _build(repo, None, show_progress=not as_json)
    result = localize(graph, text, top_k, _reranker(repo, embeddings))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    out.print("[bold]files[/bold]")
    for rank, file in enumerate(result.files, 1):
        out.print(f"{rank:>3}. {file.path}  [dim]{file.reason}[/dim]")
    out.print("[bold]functions[/bold]")
    for rank, function in enumerate(result.functions, 1):
        out.print(
            f"{rank:>3}. {function.id} ({function.start_line}-{function.end_line})  [dim]{function.reason}[/dim]"
        )


@show_app.command("show")
@guarded
def show(
    symbol: Annotated[str, typer.Argument(help="`path.py:Class.method`, `pkg.mod.Class`, `Class.method` or a name")],
    repo: Annotated[Path, typer.Option("--repo")] = Path("."),
) -> None:
    """A symbol's definition, callers, callees and tests."""
    graph = _build(repo, None, show_progress=False)
    found = graph.definition(symbol)
    if not found:
        raise SweTeamError(
            f"no symbol {symbol!r} in {graph.root}", hint="give a longer name, e.g. path.py:Class.method"
        )
    for info in found[:5]:
        out.print(f"[bold]{info.describe()}[/bold]")
        if info.doc:
            out.print(f"  {info.doc}")
        for title, items in (
            ("callers", [i.id for i, _ in graph.callers(info.id)]),
            ("callees", [i.id for i, _ in graph.callees(info.id)]),
            ("tests", [i.id for i in graph.tests_for(info.id)]),
        ):
            out.print(f"  {title}: " + (", ".join(items[:15]) or "none"))
