"""`swe-team index`, `swe-team locate` and `swe-team graph show`: the code graph from the command line."""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from core.errors import SweTeamError
from swe_team.cli.choices import Language
from swe_team.cli.common import console, guarded, out, read_text_file, settings_for
from swe_team.cli.repository import HERE, repository_or_here

if TYPE_CHECKING:
    from memory.codegraph import CodeGraph, Localization
    from memory.codegraph.embeddings import Reranker
    from memory.codegraph.queries import SymbolInfo

app = typer.Typer()
show_app = typer.Typer(name="graph", help="Query the code graph of a repository.", no_args_is_help=True)
app.add_typer(show_app)

SHOWN = 15
"""Neighbours `graph show` lists of each kind before it says how many more there are."""
RepoOption = Annotated[
    Path | None,
    typer.Option("--repo", help="The repository, or any folder of source files.", show_default=HERE, file_okay=False),
]


def without_collections(command: Callable[..., Any]) -> Callable[..., Any]:
    """Runs a command with Python's cyclic garbage collector off, then freezes what it made.

    A large repository's graph is millions of objects without cycles: every collection walks them and frees nothing,
    and once the command returns, the collection that re-enabling starts would walk them all again (on sympy a
    tenth of a warm `locate`). Frozen objects are still freed when unreferenced, and are never walked again."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        collecting = gc.isenabled()
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            if collecting:
                gc.freeze()
                gc.enable()

    return wrapper


def _build(
    repo: Path, languages: list[str] | None, show_progress: bool, workers: int = 0, ranking: bool = False
) -> CodeGraph:
    """The repository's code graph, with its lexical index ready when `ranking` (its time is the step "ranking
    index"); a path that cannot be indexed is a `SweTeamError` saying why."""
    from swe_team.resident.graphs import kept_graph

    try:
        kept = kept_graph(repo, languages)
        if kept is not None:
            return _with_ranking(kept) if ranking else kept
        return _index(repo, languages, show_progress, workers, ranking)
    except (OSError, ValueError) as exc:
        raise SweTeamError(f"cannot index {repo}: {exc}") from exc


def _shortened(what: str, width: int = 64) -> str:
    return what if len(what) <= width else f"{what[: width // 4]}…{what[-(width * 3 // 4) :]}"


def _with_ranking(graph: CodeGraph) -> CodeGraph:
    from memory.codegraph.ranking_cache import lexical_index
    from memory.codegraph.timing import Stopwatch

    with Stopwatch(graph.stats.phases, graph.stats.phases_cpu).step("ranking index"):
        lexical_index(graph)
    return graph


def _index(repo: Path, languages: list[str] | None, show_progress: bool, workers: int, ranking: bool) -> CodeGraph:
    from memory.codegraph import CodeGraph

    if not show_progress:
        graph = CodeGraph.build(repo, languages=languages, workers=workers)
        return _with_ranking(graph) if ranking else graph
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
        console=console,
    ) as progress:
        task = progress.add_task("", total=None)

        def report(done: int, total: int, what: str) -> None:
            progress.update(task, completed=done, total=total, description=_shortened(what))

        graph = CodeGraph.build(repo, languages=languages, progress=report, workers=workers)
        if ranking:
            progress.update(task, description="the search index")
            _with_ranking(graph)
        return graph


def _peak_memory_mb() -> dict[str, float]:
    """Peak resident memory of this process and of the largest parsing worker it waited for, in MB."""
    import resource

    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    return {
        "self": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, 1),
        "largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale, 1),
    }


def _timings(wall: dict[str, float], cpu: dict[str, float]) -> dict[str, dict[str, float]]:
    return {name: {"seconds": round(seconds, 3), "cpu": round(cpu.get(name, 0.0), 3)} for name, seconds in wall.items()}


def _print_profile(title: str, steps: dict[str, dict[str, float]], total: float) -> None:
    from rich.table import Table

    table = Table(title=title)
    for column in ("step", "seconds", "CPU seconds (this process)", "share"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for name, spent in sorted(steps.items(), key=lambda item: -item[1]["seconds"]):
        share = spent["seconds"] / total if total > 0 else 0.0
        table.add_row(name, f"{spent['seconds']:.3f}", f"{spent['cpu']:.3f}", f"{share:.0%}")
    out.print(table)


def _index_summary(graph: CodeGraph) -> dict[str, Any]:
    stats = graph.stats
    return {
        "root": str(graph.root),
        "files": stats.files,
        "parsed": stats.parsed,
        "from_cache": stats.from_cache,
        "workers": stats.workers,
        "symbols": dict(stats.symbols),
        "edges": dict(stats.edges),
        "seconds": round(stats.seconds, 3),
        "timings": _timings(stats.phases, stats.phases_cpu),
        "peak_memory_mb": _peak_memory_mb(),
        "syntax_errors": stats.syntax_errors,
    }


@app.command()
@guarded
@without_collections
def index(
    path: Annotated[
        Path | None,
        typer.Argument(help="The repository, or any folder of source files.", show_default=HERE, file_okay=False),
    ] = None,
    lang: Annotated[
        list[Language] | None,
        typer.Option("--lang", help="Index only this language (repeat for more).", show_default="every language"),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Parsing processes (0: one per core).")] = 0,
    profile: Annotated[bool, typer.Option("--profile", help="Also print where the time went, step by step.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary, timings included, as JSON.")] = False,
) -> None:
    """Index a repository into the code graph (cached: a re-index parses only changed files)."""
    import json

    from rich.table import Table

    languages = [language.value for language in lang] if lang else None
    graph = _build(
        repository_or_here(path, "swe-team index PATH"), languages, show_progress=True, workers=workers, ranking=True
    )
    summary = _index_summary(graph)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    stats = graph.stats
    table = Table(title=f"code graph of {escape(str(graph.root))}", show_header=False)
    parsed_by = f", {stats.workers} worker processes" if stats.workers else ""
    table.add_row("files", f"{stats.files} ({stats.parsed} parsed, {stats.from_cache} from cache{parsed_by})")
    table.add_row("symbols", ", ".join(f"{n} {kind}" for kind, n in sorted(stats.symbols.items())))
    table.add_row("edges", ", ".join(f"{n} {kind}" for kind, n in sorted(stats.edges.items())))
    table.add_row("time", f"{stats.seconds:.2f}s")
    out.print(table)
    for file, lines in sorted(stats.syntax_errors.items()):
        where = f"{escape(file)}: lines {', '.join(map(str, lines))}"
        out.print(f"[yellow]syntax errors[/yellow] {where} (indexed as far as it parses)")
    if profile:
        steps = summary["timings"]
        _print_profile("where the time went", steps, sum(step["seconds"] for step in steps.values()))
        memory = summary["peak_memory_mb"]
        out.print(f"peak memory: {memory['self']:.0f} MB here, {memory['largest_worker']:.0f} MB the largest worker")


def _reranker(repo: Path, wanted: bool | None) -> Reranker | None:
    if wanted is False:
        return None
    settings = settings_for(repo)
    if not (settings.localize_embeddings if wanted is None else wanted):
        return None
    from memory.codegraph.embeddings import home_reranker

    return home_reranker(settings.home)


@app.command()
@guarded
@without_collections
def locate(
    repo: RepoOption = None,
    task: Annotated[str, typer.Option("--task", help="The issue text.")] = "",
    task_file: Annotated[Path | None, typer.Option("--task-file", help="File holding the issue text.")] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="How many files and functions to list.")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a prediction object with reasons and timings.")
    ] = False,
    profile: Annotated[bool, typer.Option("--profile", help="Also print where the time went, step by step.")] = False,
    embeddings: Annotated[
        bool | None,
        typer.Option(
            "--embeddings/--no-embeddings",
            help="Also re-rank with the offline sentence model (extra `embeddings`).",
            show_default="the localize_embeddings setting",
        ),
    ] = None,
    no_server: Annotated[
        bool,
        typer.Option(
            "--no-server",
            help="Neither ask nor start the resident server that keeps graphs in memory (setting locate_server_idle).",
        ),
    ] = False,
) -> None:
    """Rank the files and functions an issue is most likely about, without a model."""
    import json

    from memory.codegraph import localize

    if bool(task) == (task_file is not None):
        raise SweTeamError("give exactly one of --task TEXT or --task-file FILE")
    text = task or read_text_file(Path(task_file or ""), "task file")
    repo = repository_or_here(repo)
    graph = _build(repo, None, show_progress=not as_json, ranking=True)
    result = localize(graph, text, top_k, _reranker(repo, embeddings))
    steps = {
        **{f"index: {name}": spent for name, spent in _timings(graph.stats.phases, graph.stats.phases_cpu).items()},
        **{f"locate: {name}": spent for name, spent in _timings(result.phases, result.phases_cpu).items()},
    }
    if as_json:
        data = result.to_dict()
        data["timings"] = steps
        data["peak_memory_mb"] = _peak_memory_mb()
        typer.echo(json.dumps(data, indent=2))
    elif result.files or result.functions:
        _print_ranking(result)
    else:
        out.print(_nothing_located(graph))
    if profile and not as_json:
        _print_profile("where the time went", steps, sum(step["seconds"] for step in steps.values()))
    if not no_server:
        _start_server(repo, quiet=as_json)


def _start_server(repo: Path, quiet: bool) -> None:
    from swe_team.resident.address import log_path
    from swe_team.resident.start import start_server

    idle = settings_for(repo).locate_server_idle
    if start_server(repo, idle) and not quiet:
        console.print(
            f"[dim]a resident server now keeps this graph in memory for the next locate (it exits after {idle:.0f} s "
            f"without one; --no-server: neither ask nor start it; log {escape(log_path())})[/dim]",
            highlight=False,
        )


def _print_ranking(result: Localization) -> None:
    out.print("[bold]files[/bold]")
    for rank, file in enumerate(result.files, 1):
        out.print(f"{rank:>3}. {escape(file.path)}  [dim]{escape(file.reason)}[/dim]")
    out.print("[bold]functions[/bold]")
    for rank, function in enumerate(result.functions, 1):
        lines = f"{function.start_line}-{function.end_line}"
        out.print(f"{rank:>3}. {escape(function.id)} ({lines})  [dim]{escape(function.reason)}[/dim]")


def _nothing_located(graph: CodeGraph) -> str:
    root = escape(str(graph.root))
    if not graph.stats.files:
        return f"no source files in {root} (python, javascript, typescript, java or go): is it the right folder?"
    return (
        f"nothing in {root} ({graph.stats.files} files) matches the task's words: give more of the issue, "
        "such as a traceback or the name of a function"
    )


@show_app.command("show")
@guarded
@without_collections
def show(
    symbol: Annotated[str, typer.Argument(help="`path.py:Class.method`, `pkg.mod.Class`, `Class.method` or a name")],
    repo: RepoOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each definition with its neighbours as JSON.")] = False,
) -> None:
    """A symbol's definition, callers, callees and tests (a caller that is a test is listed with the tests)."""
    import json

    graph = _build(repository_or_here(repo), None, show_progress=False)
    found = graph.definition(symbol)
    if not found:
        raise SweTeamError(
            f"no symbol {symbol!r} in {graph.root}", hint="give a longer name, e.g. path.py:Class.method"
        )
    described = [_neighbours(graph, info) for info in found[:5]]
    if as_json:
        typer.echo(json.dumps(described, indent=2))
        return
    for info, entry in zip(found, described, strict=False):
        out.print(f"[bold]{escape(info.describe())}[/bold]")
        if info.doc:
            out.print(f"  {escape(info.doc)}")
        for title in ("callers", "callees", "tests"):
            items: list[str] = entry[title]
            more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
            out.print(f"  {title}: " + escape(", ".join(items[:SHOWN]) + more or "none"))


def _neighbours(graph: CodeGraph, info: SymbolInfo) -> dict[str, Any]:
    """The symbol with its callers, callees and tests; a caller in a test file is one of its tests."""
    from memory.codegraph.link import is_test_path

    callers = [caller for caller, _ in graph.callers(info.id)]
    tests = {test.id for test in graph.tests_for(info.id)} | {c.id for c in callers if is_test_path(c.path)}
    return {
        "id": info.id,
        "kind": info.kind,
        "path": info.path,
        "start_line": info.start_line,
        "end_line": info.end_line,
        "signature": info.signature,
        "doc": info.doc,
        "callers": [c.id for c in callers if c.id not in tests],
        "callees": [callee.id for callee, _ in graph.callees(info.id)],
        "tests": sorted(tests),
    }
