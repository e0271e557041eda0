"""`swe-team index`, `swe-team locate` and `swe-team graph show`: the code graph from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from memory.codegraph import CodeGraph
    from memory.codegraph.embeddings import Reranker

graph_app = typer.Typer(help="Query the code graph of a repository.", no_args_is_help=True)


def _fail(exc: Exception) -> typer.Exit:
    from rich.console import Console
    from rich.markup import escape

    from swe_team.errors import SweTeamError

    message = exc.user_message() if isinstance(exc, SweTeamError) else str(exc)
    Console(stderr=True).print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(2)


def _build(repo: Path, languages: list[str] | None, show_progress: bool) -> CodeGraph:
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


def index(
    path: Annotated[Path, typer.Argument(help="repository or any directory of source files")],
    lang: Annotated[list[str] | None, typer.Option("--lang", help="python, javascript, typescript, java, go")] = None,
) -> None:
    """Index a repository into the code graph (cached: a re-index parses only changed files)."""
    from rich.console import Console
    from rich.table import Table

    try:
        graph = _build(path, lang, show_progress=True)
    except Exception as exc:
        raise _fail(exc) from exc
    stats = graph.stats
    table = Table(title=f"code graph of {graph.root}", show_header=False)
    table.add_row("files", f"{stats.files} ({stats.parsed} parsed, {stats.from_cache} from cache)")
    table.add_row("symbols", ", ".join(f"{n} {kind}" for kind, n in sorted(stats.symbols.items())))
    table.add_row("edges", ", ".join(f"{n} {kind}" for kind, n in sorted(stats.edges.items())))
    table.add_row("time", f"{stats.seconds:.2f}s")
    console = Console()
    console.print(table)
    for file, lines in sorted(stats.syntax_errors.items()):
        console.print(
            f"[yellow]syntax errors[/yellow] {file}: lines {', '.join(map(str, lines))} (indexed as far as it parses)"
        )


def _reranker(repo: Path, wanted: bool | None) -> Reranker | None:
    from swe_team.cli.common import settings_for

    settings = settings_for(repo)
    if not (settings.localize_embeddings if wanted is None else wanted):
        return None
    from memory.codegraph.embeddings import home_reranker

    return home_reranker(settings.home)


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

    from rich.console import Console

    from memory.codegraph import localize

    if bool(task) == (task_file is not None):
        raise _fail(ValueError("give exactly one of --task TEXT or --task-file FILE"))
    try:
        text = task or Path(task_file or "").read_text(encoding="utf-8")
        graph = _build(repo, None, show_progress=not as_json)
        result = localize(graph, text, top_k, _reranker(repo, embeddings))
    except Exception as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    console = Console()
    console.print("[bold]files[/bold]")
    for rank, file in enumerate(result.files, 1):
        console.print(f"{rank:>3}. {file.path}  [dim]{file.reason}[/dim]")
    console.print("[bold]functions[/bold]")
    for rank, function in enumerate(result.functions, 1):
        console.print(
            f"{rank:>3}. {function.id} ({function.start_line}-{function.end_line})  [dim]{function.reason}[/dim]"
        )


@graph_app.command("show")
def show(
    symbol: Annotated[str, typer.Argument(help="`path.py:Class.method`, `pkg.mod.Class`, `Class.method` or a name")],
    repo: Annotated[Path, typer.Option("--repo")] = Path("."),
) -> None:
    """A symbol's definition, callers, callees and tests."""
    from rich.console import Console

    try:
        graph = _build(repo, None, show_progress=False)
    except Exception as exc:
        raise _fail(exc) from exc
    found = graph.definition(symbol)
    if not found:
        raise _fail(LookupError(f"no symbol {symbol!r} in {graph.root}; try `swe-team graph show` with a longer name"))
    console = Console()
    for info in found[:5]:
        console.print(f"[bold]{info.describe()}[/bold]")
        if info.doc:
            console.print(f"  {info.doc}")
        for title, items in (
            ("callers", [i.id for i, _ in graph.callers(info.id)]),
            ("callees", [i.id for i, _ in graph.callees(info.id)]),
            ("tests", [i.id for i in graph.tests_for(info.id)]),
        ):
            console.print(f"  {title}: " + (", ".join(items[:15]) or "none"))


def register(app: typer.Typer) -> None:
    app.command("index")(index)
    app.command("locate")(locate)
    app.add_typer(graph_app, name="graph")
