"""Indexing at scale: parsing in worker processes, a warm index that reads nothing unchanged, ranking structures
kept per tree SHA, and `index`/`locate` saying where their time went."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from memory.codegraph import CodeGraph, localize
from memory.codegraph.parsing import POOL_MINIMUM
from memory.codegraph.ranking_cache import lexical_index
from tests.codegraph_fixtures import copy_fixture

PROJECT = Path(__file__).resolve().parents[1]


def _many_modules(root: Path, count: int = POOL_MINIMUM + 4) -> Path:
    """A package of `count` small modules, each calling the previous one: enough files for the worker pool."""
    package = root / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for number in range(count):
        previous = f"from pkg.m{number - 1} import step_{number - 1}\n\n\n" if number else ""
        call = f"step_{number - 1}(value)" if number else "value"
        (package / f"m{number}.py").write_text(
            f'{previous}def step_{number}(value):\n    """Step {number} of the chain."""\n    return {call} + 1\n'
        )
    return root


def _edges(graph: CodeGraph) -> set[tuple[str, str, str]]:
    return {(u, v, k) for u, v, k in graph.graph.edges(keys=True)}


def test_worker_processes_parse_the_same_graph_with_progress_and_fill_the_cache(tmp_path: Path) -> None:
    repo = _many_modules(tmp_path / "repo")
    seen: list[tuple[int, int, str]] = []
    pooled = CodeGraph.build(repo, cache_dir=tmp_path / "cache", workers=2, progress=lambda *a: seen.append(a))
    alone = CodeGraph.build(repo, cache_dir=None, workers=1)

    assert pooled.stats.workers == 2 and alone.stats.workers == 0
    assert pooled.stats.parsed == pooled.stats.files == POOL_MINIMUM + 5
    assert _edges(pooled) == _edges(alone)
    assert {i.id for i, _ in pooled.callees("pkg/m9.py:step_9")} == {"pkg/m8.py:step_8"}
    parsing = [done for done, _, what in seen if what.startswith("parsing ")]
    assert parsing == sorted(parsing) and parsing[-1] == POOL_MINIMUM + 5
    assert any(what.startswith("linking ") for _, _, what in seen)
    assert seen[-1][2] == "saving the snapshot"
    assert len(list((tmp_path / "cache").rglob("*.python.json"))) == POOL_MINIMUM + 5


def _index_with_workers_from_a_script(tmp_path: Path, cwd: Path) -> None:
    """Index a repository with 2 workers from a script without a main guard, run in `cwd`; it must build once."""
    repo = _many_modules(tmp_path / "repo")
    script = tmp_path / "index_it.py"
    script.write_text(
        "from memory.codegraph import CodeGraph\n"
        f"graph = CodeGraph.build({str(repo)!r}, cache_dir=None, workers=2)\n"
        "print('built', graph.stats.workers, graph.stats.files)\n"
    )
    done = subprocess.run([sys.executable, str(script)], cwd=cwd, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"built 2 {POOL_MINIMUM + 5}"]


def test_a_script_without_a_main_guard_indexes_with_workers_and_runs_once(tmp_path: Path) -> None:
    _index_with_workers_from_a_script(tmp_path, cwd=tmp_path)


def test_workers_never_import_a_memory_package_of_the_folder_they_start_in(tmp_path: Path) -> None:
    here = tmp_path / "elsewhere"
    (here / "memory").mkdir(parents=True)
    imported = tmp_path / "imported"
    (here / "memory" / "__init__.py").write_text(f"open({str(imported)!r}, 'w').close()\n")
    _index_with_workers_from_a_script(tmp_path, cwd=here)
    assert not imported.exists()


def _age(repo: Path, seconds: float = 120.0) -> None:
    """Date every file back, as files are when a snapshot is taken long after they were written."""
    past = time.time() - seconds
    for file in repo.rglob("*.py"):
        os.utime(file, (past, past))


def test_a_warm_index_reads_only_the_files_whose_signature_changed(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    _age(repo)
    cache = tmp_path / "cache"
    CodeGraph.build(repo, cache_dir=cache)
    seen: list[str] = []
    unchanged = CodeGraph.build(repo, cache_dir=cache, progress=lambda done, total, what: seen.append(what))
    assert (unchanged.stats.hashed, unchanged.stats.parsed) == (0, 0)
    assert seen[0] == "loading the snapshot" and seen[-1] == "restoring the graph"
    assert "load snapshot" in unchanged.stats.phases and "parse" not in unchanged.stats.phases

    pricing = repo / "shop" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef surcharge(amount):\n    return round_price(amount)\n")
    edited = CodeGraph.build(repo, cache_dir=cache)
    assert (edited.stats.hashed, edited.stats.parsed) == (1, 1)
    assert {i.id for i, _ in edited.callees("surcharge")} == {"shop/pricing.py:round_price"}


def test_a_graph_from_the_snapshot_answers_and_relinks_like_a_fresh_build(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    cache = tmp_path / "cache"
    CodeGraph.build(repo, cache_dir=cache)
    restored = CodeGraph.build(repo, cache_dir=cache)
    fresh = CodeGraph.build(repo, cache_dir=None)
    assert restored.calls_pending is not None
    for node in fresh.graph.nodes:
        assert sorted(restored.graph.in_edges(node, keys=True)) == sorted(fresh.graph.in_edges(node, keys=True))
        assert sorted(restored.graph.out_edges(node, keys=True)) == sorted(fresh.graph.out_edges(node, keys=True))

    # A new import changes what pricing.py exports: the files importing it are linked again, from their own calls.
    pricing = repo / "shop" / "pricing.py"
    added = "\n\ndef ceil_price(amount):\n    return math.ceil(amount)\n"
    pricing.write_text("import math\n\n\n" + pricing.read_text() + added)
    fresh_file = CodeGraph.build(repo, cache_dir=None)
    assert restored.update_file("shop/pricing.py")
    assert _edges(restored) == _edges(fresh_file)
    assert "shop/cart.py:Cart.total" in {i.id for i, _ in restored.callees("shop/checkout.py:checkout")}
    assert "shop/checkout.py:checkout" in {i.id for i, _ in restored.callers("shop/pricing.py:round_price")}


def test_the_lexical_index_is_kept_per_tree_and_recounts_only_changed_files(tmp_path: Path) -> None:
    repo = copy_fixture("python", tmp_path)
    cache = tmp_path / "cache"
    first = lexical_index(CodeGraph.build(repo, cache_dir=cache))
    assert first.recounted == 7
    warm = CodeGraph.build(repo, cache_dir=cache)
    again = lexical_index(warm)
    assert again.recounted == 0 and again.symbol_ids == first.symbol_ids

    (repo / "shop" / "pricing.py").write_text("def apply_surcharge(amount):\n    return amount * 1.1\n")
    graph = CodeGraph.build(repo, cache_dir=cache)
    assert lexical_index(graph).recounted == 1
    assert localize(graph, "the surcharge is applied twice").functions[0].id == "shop/pricing.py:apply_surcharge"
    assert warm.update_file("shop/pricing.py") and lexical_index(warm).recounted == 1
    assert localize(warm, "the surcharge is applied twice").functions[0].id == "shop/pricing.py:apply_surcharge"


def test_index_and_locate_say_where_their_time_went(tmp_path: Path) -> None:
    from swe_team.cli import app

    repo = copy_fixture("python", tmp_path)
    env = {"SWE_TEAM_HOME": str(tmp_path / "home")}
    runner = CliRunner()
    indexed = runner.invoke(app, ["index", str(repo), "--json"], env=env)
    assert indexed.exit_code == 0, indexed.output
    summary = json.loads(indexed.stdout)
    assert {"list files", "hash files", "parse", "link", "save snapshot", "ranking index"} <= set(summary["timings"])
    assert summary["peak_memory_mb"]["self"] > 0 and summary["files"] == 7

    profiled = runner.invoke(app, ["locate", "--repo", str(repo), "--task", "rate above one", "--profile"], env=env)
    assert profiled.exit_code == 0, profiled.output
    assert "where the time went" in profiled.stdout and "index: load snapshot" in profiled.stdout
    located = runner.invoke(app, ["locate", "--repo", str(repo), "--task", "rate above one", "--json"], env=env)
    timings = json.loads(located.stdout)["timings"]
    assert "locate: lexical index" in timings and timings["locate: lexical index"]["cpu"] >= 0


def test_indexing_and_locating_do_not_stop_for_the_garbage_collector(tmp_path: Path) -> None:
    """A large graph is many small objects without cycles: a collection would walk them all and free nothing, so none
    runs while they are made, only the one that the objects made meanwhile trigger as each call returns."""
    repo = _many_modules(tmp_path / "repo")
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        cold = CodeGraph.build(repo, cache_dir=tmp_path / "cache", workers=1)
        localize(cold, "step 7 of the chain adds one too many")
        warm = CodeGraph.build(repo, cache_dir=tmp_path / "cache")
        located = localize(warm, "step 7 of the chain adds one too many")
    finally:
        gc.callbacks.remove(count)
    assert warm.stats.phases.get("load snapshot", 0.0) > 0.0 and located.functions
    assert len(collections) <= 4, collections
