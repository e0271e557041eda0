"""Structured edit actions on real repositories: rename_symbol and change_signature against a plain word-boundary
replace across files.

Tasks: functions and methods outside the tests with ≥ 3 call sites in ≥ 2 files (requests, flask and pytest at
the mirrors' HEAD, `$SWE_TEAM_MIRRORS`, default /work/.mirror), except methods that override a method of an
installed package's class (found by importing the module, where it imports): renaming one breaks the package's calls
of it, so the tool refuses and no edit could be correct; they are listed, and the next tasks taken. A rename is
correct when the tool applied it, the graph has the definition under the new name and none under the old, every
changed file compiles, the changed modules import as before, and the test files that import them give the same
summary as before (requests and pytest run their tests with this venv, the source folder first on the path;
flask's dependencies are not installed here, so flask is checked by compiling only). A signature change adds a parameter
with a value for the callers: correct when every call of the function has one more argument and the same checks
pass. The word-boundary baseline's wrong edits are the occurrences it changed that the scope-aware rename (where
correct) left alone.

    .venv/bin/python -m benchmarks.bench_actions [--renames 20] [--signatures 10] [--no-tests] [--quick]

Goals: ≥ 95% of renames and ≥ 90% of signature changes correct; a rename on pytest ≤ 1 s once the index is warm.
`--quick` runs a few tasks on this project's own `core` package, without running tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.actions_tasks import (
    Checker,
    Task,
    every_linked_call_gained_one,
    importable_modules,
    linked_calls,
    pick_tasks,
    word_boundary_replace,
    word_occurrences,
)
from core.edit_actions import EditAction
from core.errors import ToolError
from memory.codegraph import CodeGraph
from tools.base import ToolContext
from tools.registry import all_tools
from workspaces.local import LocalWorkspace


@dataclass(frozen=True)
class Source:
    mirror: str
    source_dir: str
    run_tests: bool
    """False: the repository's dependencies are not installed here, so its tests cannot run."""
    pytest_args: tuple[str, ...] = ()
    generated: tuple[tuple[str, str], ...] = ()
    """Files its build would generate (setuptools-scm's version file), written into the worktree before indexing."""


REPOSITORIES = {
    "requests": Source("psf+requests", "src", True),
    "flask": Source("pallets+flask", "src", False),
    "pytest": Source(
        "pytest-dev+pytest",
        "src",
        True,
        ("-p", "pytester"),
        (("src/_pytest/_version.py", 'version = __version__ = "9.9.0"\nversion_tuple = (9, 9, 0)\n'),),
    ),
}
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Tally:
    repo: str
    renames: int = 0
    renames_ok: int = 0
    refused: int = 0
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    baseline_ok: int = 0
    baseline_wrong_edits: int = 0
    signatures: int = 0
    signatures_ok: int = 0
    tested: int = 0
    failures: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


@dataclass
class Repository:
    name: str
    root: Path
    context: ToolContext
    graph: Any
    checker: Checker
    actions: list[EditAction]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def open_repository(name: str, where: Path, archive: bytes, source: Source) -> Repository:
    repo = where / name / "origin"
    repo.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.email=b@example.com", "-c", "user.name=bench", "commit", "-q", "-m", "head")
    workspace = LocalWorkspace.create(
        job_id=f"bench-{name}", repo_path=repo, base_commit="HEAD", job_dir=where / name / "job", settings=None
    )
    root = Path(workspace.info.root)
    for path, text in source.generated:
        (root / path).write_text(text, encoding="utf-8")  # ignored by the repository's .gitignore
    graph = CodeGraph.build(root, cache_dir=where / "cache", languages=["python"])
    context = ToolContext(workspace=workspace, code_graph=graph, command_timeout_s=60)

    def follow(paths: list[str]) -> None:
        graph.update_files(paths)

    context.file_listeners.append(follow)
    actions: list[EditAction] = []
    context.action_listeners.append(actions.append)
    checker = Checker(root, source.source_dir, source.run_tests, source.pytest_args)
    return Repository(name, root, context, graph, checker, actions)


def restore(repository: Repository, paths: list[str]) -> None:
    _git(repository.root, "checkout", "-q", "--", ".")
    repository.context.files_changed(paths)


def _checks_pass(repository: Repository, changed: list[str], tests: bool = True) -> tuple[bool, bool]:
    """(compiles, imports and passes its tests as before; tests ran) for the changed files."""
    checker = repository.checker
    if not checker.compiles(changed):
        return False, False
    if checker.imports(importable_modules(repository.root, changed, checker.source_dir)) is False:
        return False, False
    if not tests:
        return True, False
    outcome = checker.tests_as_before(checker.test_files(changed))
    return outcome is not False, outcome is not None


def run_rename(repository: Repository, task: Task, tally: Tally) -> None:
    new_name = f"{task.name}_renamed"
    tally.renames += 1
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        all_tools()["rename_symbol"].invoke(repository.context, {"symbol": task.node, "new_name": new_name})
    except ToolError as exc:
        tally.refused += 1
        tally.failures.append(f"rename {task.node}: {exc}")
        return
    finally:
        tally.seconds.append(time.perf_counter() - started)
        tally.cpu_seconds.append(time.process_time() - cpu_started)
    action = repository.actions[-1]
    changed = action.files()
    new_node = task.node.rsplit(".", 1)[0] + "." + new_name if "." in task.qualname else f"{task.path}:{new_name}"
    graph_clean = not repository.graph.definition(task.node) and bool(repository.graph.definition(new_node))
    passed, tested = _checks_pass(repository, changed)
    tally.tested += tested
    ours = {path: word_occurrences(before, task.name) for path, before in _befores(repository, changed).items()}
    ours_changed = sum(ours[p] - word_occurrences((repository.root / p).read_text(), task.name) for p in ours)
    if graph_clean and passed:
        tally.renames_ok += 1
    else:
        tally.failures.append(f"rename {task.node}: {'checks failed' if graph_clean else 'graph still has it'}")
    restore(repository, changed)
    baseline = word_boundary_replace(repository.root, task.name, new_name)
    for path, (_, after) in baseline.items():
        (repository.root / path).write_text(after, encoding="utf-8")
    baseline_ok, _ = _checks_pass(repository, list(baseline), tests=False)
    tally.baseline_ok += baseline_ok
    if graph_clean and passed:
        tally.baseline_wrong_edits += (
            sum(word_occurrences(before, task.name) for before, _ in baseline.values()) - ours_changed
        )
    restore(repository, list(baseline))


def _befores(repository: Repository, paths: list[str]) -> dict[str, str]:
    shown = subprocess.run
    return {
        path: shown(["git", "show", f"HEAD:{path}"], cwd=repository.root, capture_output=True, text=True).stdout
        for path in paths
    }


def run_signature(repository: Repository, task: Task, tally: Tally) -> None:
    lines = linked_calls(repository.graph, task.node)
    before = {path: (repository.root / path).read_text() for path in lines}
    tally.signatures += 1
    arguments = {"function": task.node, "add": [{"name": "bench_flag", "value": "None", "default": "None"}]}
    try:
        all_tools()["change_signature"].invoke(repository.context, arguments)
    except ToolError as exc:
        tally.failures.append(f"signature {task.node}: {exc}")
        return
    changed = repository.actions[-1].files()
    every_call = all(
        every_linked_call_gained_one(text, (repository.root / path).read_text(), task.name, lines[path])
        for path, text in before.items()
    )
    passed, tested = _checks_pass(repository, changed)
    tally.tested += tested
    if every_call and passed:
        tally.signatures_ok += 1
    else:
        tally.failures.append(f"signature {task.node}: {'checks failed' if every_call else 'a linked call was missed'}")
    restore(repository, changed)


def archive_of(name: str, quick: bool) -> bytes | None:
    if quick:
        return subprocess.run(
            ["git", "archive", "HEAD", "core"], cwd=PROJECT_ROOT, capture_output=True, check=True
        ).stdout
    mirror = Path(os.environ.get("SWE_TEAM_MIRRORS", "/work/.mirror")) / REPOSITORIES[name].mirror / "repo"
    if not mirror.is_dir():
        return None
    return subprocess.run(["git", f"--git-dir={mirror}", "archive", "HEAD"], capture_output=True, check=True).stdout


def bench(repo: str, where: Path, renames: int, signatures: int, quick: bool, run_tests: bool) -> Tally | None:
    archive = archive_of(repo, quick)
    if archive is None:
        print(f"no mirror of {repo}: skipped", file=sys.stderr)
        return None
    source = Source("", "", False) if quick else REPOSITORIES[repo]
    if not run_tests:
        source = Source(source.mirror, source.source_dir, False, source.pytest_args, source.generated)
    repository = open_repository(repo, where, archive, source)

    tally = Tally(repo)
    for task in _feasible(repository, pick_tasks(repository.graph, renames * 2), renames, tally):
        run_rename(repository, task, tally)
    signature_tasks = pick_tasks(repository.graph, signatures * 2, unique_names=True)
    for task in _feasible(repository, signature_tasks, signatures, tally):
        run_signature(repository, task, tally)
    return tally


def _feasible(repository: Repository, tasks: list[Task], count: int, tally: Tally) -> list[Task]:
    """The first `count` tasks an edit can do correctly: not a method overriding an installed package's."""
    overriding = repository.checker.overriding_installed(tasks)
    for node, base in overriding.items():
        if f"{node} (overrides {base})" not in tally.excluded:
            tally.excluded.append(f"{node} (overrides {base})")
    return [task for task in tasks if task.node not in overriding][:count]


def _percent(done: int, total: int) -> str:
    return f"{done}/{total} ({done / total:.0%})" if total else "—"


def report(tallies: list[Tally], console: Console) -> None:
    table = Table(title="Structured edit actions vs word-boundary replace")
    for column in (
        "repository",
        "renames correct",
        "refused",
        "s/rename warm: wall median, max (CPU median)",
        "word-replace correct",
        "word-replace wrong edits",
        "signature changes correct",
        "tasks with tests run",
    ):
        table.add_column(column, justify="right" if column != "repository" else "left")
    for tally in tallies:
        warm, cpu = tally.seconds[1:] or tally.seconds, tally.cpu_seconds[1:] or tally.cpu_seconds
        timing = f"{statistics.median(warm):.2f}, {max(warm):.2f} ({statistics.median(cpu):.2f})" if warm else "—"
        table.add_row(
            tally.repo,
            _percent(tally.renames_ok, tally.renames),
            str(tally.refused),
            timing,
            _percent(tally.baseline_ok, tally.renames),
            str(tally.baseline_wrong_edits),
            _percent(tally.signatures_ok, tally.signatures),
            str(tally.tested),
        )
    console.print(table)
    for tally in tallies:
        for excluded in tally.excluded:
            console.print(f"  {tally.repo}: not a task, {excluded}", highlight=False, soft_wrap=True)
        for failure in tally.failures[:10]:
            console.print(f"  {tally.repo}: {failure}", highlight=False, soft_wrap=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renames", type=int, default=20, help="rename tasks per repository")
    parser.add_argument("--signatures", type=int, default=10, help="signature-change tasks per repository")
    parser.add_argument("--repos", default="requests,flask,pytest")
    parser.add_argument("--no-tests", action="store_true", help="compile and import checks only")
    parser.add_argument("--quick", action="store_true", help="2 renames and a signature change on our own core")
    args = parser.parse_args()
    repos = ["core"] if args.quick else args.repos.split(",")
    renames, signatures = (2, 1) if args.quick else (args.renames, args.signatures)
    tallies = []
    with tempfile.TemporaryDirectory(prefix="bench-actions-") as where:
        for repo in repos:
            tally = bench(repo, Path(where), renames, signatures, args.quick, not args.no_tests)
            if tally is not None:
                tallies.append(tally)
    report(tallies, Console(width=200))
    return 0 if tallies else 1


if __name__ == "__main__":
    sys.exit(main())
