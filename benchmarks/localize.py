"""Localization benchmark on SWE-bench-format instances: our localizer vs plain BM25, measured in one run.

    python -m benchmarks.localize [--data FILE] [--out FILE] [--limit N] [--repo owner/name] [--embeddings]
                                  [--half tuning|held-out|both] [--no-scale]
    python -m benchmarks.localize --quick

Each instance's repository is materialized at its `base_commit` from a local bare mirror
(`$SWE_TEAM_MIRRORS`, default /work/.mirror) with `git archive` into a temporary folder. The instances are split
into a tuning half and a held-out half (`localize_split.py`); both are scored, the held-out half only as totals
(its predictions go to a file of their own). Then the scale cases (`localize_scale.py`: sympy and pytest through
`swe-team index` and `locate`) unless --no-scale.
--quick needs neither the data set nor mirrors: it runs the instances of localize-quick.jsonl on the shop example,
mirrored into a temporary folder, and the scale measurements on that example.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.localize_baseline import bm25_files, bm25_functions
from benchmarks.localize_metrics import Scores, score_instance
from benchmarks.localize_scale import ScaleCase, default_cases, print_scale, run_scale
from benchmarks.localize_split import HALVES, halves
from core.errors import SweTeamError
from harness.example import example_repo, git
from memory.codegraph import CodeGraph, localize
from memory.codegraph.embeddings import Reranker, home_reranker
from memory.codegraph.ranking_cache import lexical_index

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "locbench-dev.jsonl"
QUICK_DATA = Path(__file__).with_name("localize-quick.jsonl")
TOP_K = 10


def mirrors_dir() -> Path:
    return Path(os.environ.get("SWE_TEAM_MIRRORS", "/work/.mirror"))


def example_mirrors(where: Path) -> Path:
    """A folder of mirrors holding the shop example as `swe-team/shop`, the repository of QUICK_DATA."""
    git(where, "clone", "-q", "--mirror", str(example_repo(where)), str(where / "mirrors" / "swe-team+shop"))
    return where / "mirrors"


def find_mirror(repo: str, base: Path) -> Path:
    owner, name = repo.split("/")
    for candidate in (
        base / f"{owner}+{name}" / "repo",
        base / f"{owner}+{name}",
        base / owner / f"{name}.git",
        base / f"{name}.git",
    ):
        if (candidate / "HEAD").is_file():
            return candidate
    raise SweTeamError(
        f"no git mirror of {repo} under {base}",
        hint=f"git clone --mirror https://github.com/{repo} {base}/{owner}+{name}/repo "
        "(or set SWE_TEAM_MIRRORS to the folder holding your mirrors)",
    )


def _extracted(mirror: Path, commit: str, into: Path, *pathspecs: str) -> bool:
    archive = subprocess.Popen(
        ["git", f"--git-dir={mirror}", "archive", commit, "--", *pathspecs],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    unpacked = subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, stderr=subprocess.DEVNULL)
    return archive.wait() == 0 and unpacked.returncode == 0


def materialize(repo: str, commit: str, into: Path, mirrors: Path) -> None:
    """The repository at `commit`; from a mirror that lacks some large files (a snapshot can leave its biggest blobs
    out), its Python sources alone, which is all the localizer reads."""
    mirror = find_mirror(repo, mirrors)
    if _extracted(mirror, commit, into):
        return
    for child in into.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    if not _extracted(mirror, commit, into, "*.py"):
        raise SweTeamError(
            f"git archive of {repo}@{commit} failed", hint="fetch the mirror again: the commit is missing"
        )
    print(
        f"{repo}@{commit[:12]}: the mirror lacks some files; only the Python sources were materialized", file=sys.stderr
    )


@dataclass
class Timings:
    index_s: list[float] = field(default_factory=list)
    query_s: list[float] = field(default_factory=list)
    update_s: list[float] = field(default_factory=list)
    graph_query_s: list[float] = field(default_factory=list)
    baseline_query_s: list[float] = field(default_factory=list)


def time_graph_queries(graph: CodeGraph, entities: list[str], timings: Timings) -> None:
    for entity in entities[:5]:
        for query in (graph.definition, graph.references, graph.callers, graph.tests_for):
            started = time.perf_counter()
            query(entity)
            timings.graph_query_s.append(time.perf_counter() - started)


def time_one_edit(graph: CodeGraph, path: str, timings: Timings) -> None:
    file = graph.root / path
    file.write_text(file.read_text(encoding="utf-8") + "\n\ndef _benchmark_edit():\n    return 1\n", encoding="utf-8")
    started = time.perf_counter()
    graph.update_file(path)
    timings.update_s.append(time.perf_counter() - started)


def run_instance(
    row: dict[str, Any], timings: Timings, reranker: Reranker | None, mirrors: Path
) -> tuple[dict[str, Any], dict[str, Scores]]:
    with tempfile.TemporaryDirectory(prefix="locbench-") as folder:
        root = Path(folder)
        materialize(row["repo"], row["base_commit"], root, mirrors)
        started = time.perf_counter()
        graph = CodeGraph.build(root, languages=["python"], cache_dir=None)
        lexical_index(graph)
        timings.index_s.append(time.perf_counter() - started)
        result = localize(graph, row["problem_statement"], TOP_K, reranker)
        timings.query_s.append(result.seconds)
        prediction = result.to_prediction(row["instance_id"])
        started = time.perf_counter()
        baseline_files = bm25_files(graph, row["problem_statement"])
        baseline_functions = bm25_functions(graph, row["problem_statement"])
        timings.baseline_query_s.append(time.perf_counter() - started)
        time_graph_queries(graph, prediction["found_entities"], timings)
        if prediction["found_files"]:
            time_one_edit(graph, prediction["found_files"][0], timings)
    scores = {
        "ours": score_instance(row, prediction["found_files"], prediction["found_entities"]),
        "bm25": score_instance(row, baseline_files, baseline_functions),
    }
    return prediction, scores


def _score_row(half: str, label: str, rows: list[Scores]) -> list[str]:
    with_functions = [s for s in rows if s.has_functions]

    def mean(values: list[float]) -> str:
        return f"{statistics.mean(values):.3f}" if values else "-"

    return [
        half,
        label,
        str(len(rows)),
        *(mean([getattr(s, f"file_at_{k}") for s in rows]) for k in (1, 3, 5)),
        *(mean([getattr(s, f"function_at_{k}") for s in with_functions]) for k in (5, 10)),
        mean([s.file_mrr for s in rows]),
    ]


def print_report(all_scores: dict[tuple[str, str], list[Scores]], timings: Timings, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Localization: the tuning half, the held-out half and both (predictions: {out})")
    table.add_column("half")
    table.add_column("method")
    for column in ("instances", "file Acc@1", "file Acc@3", "file Acc@5", "func Acc@5", "func Acc@10", "file MRR"):
        table.add_column(column, justify="right")
    for half in (*HALVES, "both"):
        for method, label in (("ours", "graph localizer"), ("bm25", "BM25 files / functions")):
            rows = [s for (h, m), scores in all_scores.items() if m == method and half in (h, "both") for s in scores]
            if rows:
                table.add_row(*_score_row(half, label, rows))
    console = Console(width=max(120, Console().width))
    console.print(table)

    def p95(values: list[float]) -> float:
        return sorted(values)[max(0, int(len(values) * 0.95) - 1)] if values else 0.0

    console.print(
        f"cold index: mean {statistics.mean(timings.index_s):.2f}s, max {max(timings.index_s):.2f}s · "
        f"re-index after one edit (update_file): mean {statistics.mean(timings.update_s):.3f}s, "
        f"max {max(timings.update_s):.3f}s · localize query: mean {statistics.mean(timings.query_s):.3f}s, "
        f"max {max(timings.query_s):.3f}s · graph query p95 {1000 * p95(timings.graph_query_s):.1f} ms · "
        f"BM25 baseline query (both indexes built per query): mean {statistics.mean(timings.baseline_query_s):.3f}s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=Path("localize-predictions.jsonl"))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--repo", default="", help="only instances of this owner/name")
    parser.add_argument("--embeddings", action="store_true", help="re-rank with the optional sentence model")
    parser.add_argument("--quick", action="store_true", help="the bundled instances on the shop example, offline")
    parser.add_argument("--half", choices=[*HALVES, "both"], default="both", help="which half of the data to run")
    parser.add_argument("--no-scale", action="store_true", help="skip the sympy and pytest scale cases")
    args = parser.parse_args(argv)
    if not args.quick:
        return run(args, mirrors_dir())
    with tempfile.TemporaryDirectory(prefix="locbench-quick-") as folder:
        print(f"quick mode: {QUICK_DATA.name} on the shop example; the real data set is `make bench-localize`")
        args.data, args.out = QUICK_DATA, Path(folder) / "predictions.jsonl"
        return run(args, example_mirrors(Path(folder)), quick=True)


def _scale_cases(rows: list[dict[str, Any]], quick: bool) -> list[ScaleCase]:
    if quick:
        first = rows[0]
        return [ScaleCase("shop example", first["repo"], first["base_commit"], first["problem_statement"])]
    return default_cases(rows)


def read_rows(data: Path) -> list[dict[str, Any]]:
    try:
        text = data.read_text(encoding="utf-8")
    except OSError as exc:
        raise SweTeamError(
            f"cannot read {data}: {exc.strerror}",
            hint="pass the data set with --data FILE (with make: LOCALIZE_ARGS='--data FILE'); the default is "
            "../shared/data/locbench-dev.jsonl beside this checkout",
        ) from exc
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def run(args: argparse.Namespace, mirrors: Path, quick: bool = False) -> int:
    timings = Timings()
    all_scores: dict[tuple[str, str], list[Scores]] = {}
    held_out_out = args.out.with_name(args.out.stem + ".held-out.jsonl")
    try:
        rows = read_rows(args.data)
        half_of = halves(rows)
        chosen = [r for r in rows if not args.repo or r["repo"] == args.repo]
        chosen = [r for r in chosen if args.half in ("both", half_of[r["instance_id"]])][: args.limit or None]
        reranker = None
        if args.embeddings:
            from core.settings import Settings

            reranker = home_reranker(Settings().home)
        for repo in sorted({r["repo"] for r in chosen}):
            find_mirror(repo, mirrors)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as out, held_out_out.open("w", encoding="utf-8") as held_out:
            for row in chosen:
                half = half_of[row["instance_id"]]
                prediction, scores = run_instance(row, timings, reranker, mirrors)
                (out if half == "tuning" else held_out).write(json.dumps(prediction) + "\n")
                for method, value in scores.items():
                    all_scores.setdefault((half, method), []).append(value)
                if half == "tuning":
                    ours = scores["ours"]
                    print(
                        f"{row['instance_id']}: file@5 {ours.file_at_5} func@10 {ours.function_at_10}", file=sys.stderr
                    )
        if chosen:
            print_report(all_scores, timings, args.out)
        if not args.no_scale:
            print_scale(run_scale(_scale_cases(rows, quick), materialize, mirrors))
    except SweTeamError as exc:
        print(exc.user_message(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
