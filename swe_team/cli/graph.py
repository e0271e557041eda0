"""`swe-team index`, `swe-team locate` and `swe-team graph show`: the code graph from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from core.errors import SweTeamError
from swe_team.cli.common import console, guarded, out, read_text_file, settings_for

if TYPE_CHECKING:
    from memory.codegraph import CodeGraph
    from memory.codegraph.embeddings import Reranker

app = typer.Typer()
show_app = typer.Typer(name="graph", help="Query the code graph of a repository.", no_args_is_help=True)
app.add_typer(show_app)


def _build(
    repo: Path, languages: list[str] | None, show_progress: bool, workers: int = 0, ranking: bool = False
) -> CodeGraph:
    """The repository's code graph, with its lexical index ready when `ranking` (its time is the step "ranking
    index"); a path that cannot be indexed is a `SweTeamError` saying why."""
    try:
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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from memory.codegraph import CodeGraph

    if not show_progress:
        graph = CodeGraph.build(repo, languages=languages, workers=workers)
        return _with_ranking(graph) if ranking else graph
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
def index(
    path: Annotated[Path, typer.Argument(help="repository or any directory of source files")],
    lang: Annotated[list[str] | None, typer.Option("--lang", help="python, javascript, typescript, java, go")] = None,
    workers: Annotated[int, typer.Option("--workers", min=0, help="parsing processes (0: one per core)")] = 0,
    profile: Annotated[bool, typer.Option("--profile", help="also print where the time went, step by step")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary, timings included, as JSON")] = False,
) -> None:
    """Index a repository into the code graph (cached: a re-index parses only changed files)."""
    import json

    from rich.table import Table

    graph = _build(path, lang, show_progress=True, workers=workers, ranking=True)
    summary = _index_summary(graph)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    stats = graph.stats
    table = Table(title=f"code graph of {graph.root}", show_header=False)
    parsed_by = f", {stats.workers} worker processes" if stats.workers else ""
    table.add_row("files", f"{stats.files} ({stats.parsed} parsed, {stats.from_cache} from cache{parsed_by})")
    table.add_row("symbols", ", ".join(f"{n} {kind}" for kind, n in sorted(stats.symbols.items())))
    table.add_row("edges", ", ".join(f"{n} {kind}" for kind, n in sorted(stats.edges.items())))
    table.add_row("time", f"{stats.seconds:.2f}s")
    out.print(table)
    for file, lines in sorted(stats.syntax_errors.items()):
        out.print(
            f"[yellow]syntax errors[/yellow] {file}: lines {', '.join(map(str, lines))} (indexed as far as it parses)"
        )
    if profile:
        steps = summary["timings"]
        _print_profile("where the time went", steps, sum(step["seconds"] for step in steps.values()))
        memory = summary["peak_memory_mb"]
        out.print(f"peak memory: {memory['self']:.0f} MB here, {memory['largest_worker']:.0f} MB the largest worker")


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
    as_json: Annotated[bool, typer.Option("--json", help="print a prediction object with reasons and timings")] = False,
    profile: Annotated[bool, typer.Option("--profile", help="also print where the time went, step by step")] = False,
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
        return
    out.print("[bold]files[/bold]")
    for rank, file in enumerate(result.files, 1):
        out.print(f"{rank:>3}. {file.path}  [dim]{file.reason}[/dim]")
    out.print("[bold]functions[/bold]")
    for rank, function in enumerate(result.functions, 1):
        out.print(f"{rank:>3}. {function.id} ({function.start_line}-{function.end_line})  [dim]{function.reason}[/dim]")
    if profile:
        _print_profile("where the time went", steps, sum(step["seconds"] for step in steps.values()))


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
