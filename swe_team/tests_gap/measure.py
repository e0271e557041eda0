"""Coverage measured in a workspace: the test command run under coverage.py, read back as lines and branches.

The tests run through the same runner machinery as every other test run (`tools.test_results.run_tests`), so
each test's outcome is read as usual; coverage only wraps the interpreter (`python -m coverage run --branch -m
pytest …`). Its data and JSON report live in a scratch folder inside the workspace, removed after each run so
that they never reach a diff.
"""

from __future__ import annotations

import json
import os
import posixpath
import shlex
import sys
from dataclasses import dataclass, field

from core.errors import SweTeamError
from tools.test_results import TestReport, run_tests
from tools.testing.command import join_words, program_index, simple_words
from tools.testing.detect import python_with
from workspaces.base import Workspace

SCRATCH = ".swe-team-coverage"
DATA_FILE = f"{SCRATCH}/data"
JSON_REPORT = f"{SCRATCH}/coverage.json"
PER_TEST_CONFIG = f"{SCRATCH}/per-test.rc"
PER_TEST_SCRIPT = f"{SCRATCH}/per_test.py"
PER_TEST_REPORT = f"{SCRATCH}/per-test.json"
PER_TEST_RC = "[run]\nbranch = True\ndynamic_context = test_function\n"
"""Coverage's own configuration for a per-test run: each test function's lines and arcs under its own context."""
PER_TEST_READER = """\
import json, os, re, sys
import coverage

data = coverage.CoverageData(basename=sys.argv[1])
data.read()
wanted = set(sys.argv[3:])
found = {}
for context in sorted(data.measured_contexts()):
    if not context:
        continue
    data.set_query_contexts(["^" + re.escape(context) + "$"])
    files = {}
    for path in data.measured_files():
        relative = os.path.relpath(path)
        if relative in wanted:
            files[relative] = {"lines": sorted(data.lines(path) or []), "arcs": sorted(data.arcs(path) or [])}
    found[context] = files
with open(sys.argv[2], "w") as out:
    json.dump(found, out)
"""
"""Run with the tests' interpreter: per test context, the lines and arcs it ran in the wanted files."""
Arc = tuple[int, int]


class CoverageUnavailable(SweTeamError):
    """Coverage cannot be measured with this repository's test command or interpreter."""


@dataclass
class FileCoverage:
    """One file's statements and branches, and which of them ran."""

    executed: set[int] = field(default_factory=set)
    missing: set[int] = field(default_factory=set)
    executed_arcs: set[Arc] = field(default_factory=set)
    missing_arcs: set[Arc] = field(default_factory=set)

    def union(self, other: FileCoverage) -> FileCoverage:
        executed = self.executed | other.executed
        executed_arcs = self.executed_arcs | other.executed_arcs
        return FileCoverage(
            executed=executed,
            missing=(self.missing | other.missing) - executed,
            executed_arcs=executed_arcs,
            missing_arcs=(self.missing_arcs | other.missing_arcs) - executed_arcs,
        )


@dataclass
class Measurement:
    """A test run under coverage: each test's outcome, and the lines and branches that ran per file."""

    report: TestReport
    files: dict[str, FileCoverage]


def combined(first: dict[str, FileCoverage], second: dict[str, FileCoverage]) -> dict[str, FileCoverage]:
    """What either of two runs covered, per file."""
    empty = FileCoverage()
    return {path: first.get(path, empty).union(second.get(path, empty)) for path in first.keys() | second.keys()}


@dataclass(frozen=True)
class CoverageCommand:
    """The test command's parts, to run it under coverage, without it, and to run coverage itself."""

    assignments: tuple[str, ...]
    python: str
    module_args: tuple[str, ...]
    """`pytest` and its arguments."""
    note: str = ""

    def run(self, *options: str) -> str:
        """The test command under `coverage run --branch` with `options`, its data file in the scratch folder."""
        words = [*self.assignments, f"COVERAGE_FILE={DATA_FILE}", self.python, "-m", "coverage", "run", "--branch"]
        return join_words([*words, *options, "-m", *self.module_args])

    @property
    def test_command(self) -> str:
        return self.run()

    @property
    def plain(self) -> str:
        """The test command without coverage, on the same interpreter."""
        return join_words([*self.assignments, self.python, "-m", *self.module_args])

    @property
    def coverage(self) -> str:
        return join_words([f"COVERAGE_FILE={DATA_FILE}", self.python, "-m", "coverage"])


def _interpreter_imports(workspace: Workspace, python: str, *modules: str) -> bool:
    probe = workspace.exec(f"{shlex.quote(python)} -c {shlex.quote('import ' + ', '.join(modules))}", timeout=60)
    return probe.exit_code == 0


def coverage_command(workspace: Workspace, test_command: str) -> CoverageCommand:
    """`test_command` (a Python module run such as `python -m pytest`, or a `pytest` program) run under coverage.

    Locally, an interpreter without coverage falls back to this program's own Python when that one has both
    coverage and pytest; elsewhere (a Docker environment) coverage must be in the image."""
    words = simple_words(test_command)
    if words is None:
        raise CoverageUnavailable(
            f"cannot measure coverage with the test command {test_command!r}: it is not a simple command",
            hint="pass a command such as `python -m pytest tests` with --test-command",
        )
    start = program_index(words)
    assignments, program, rest = words[:start], words[start : start + 1], words[start + 1 :]
    if program and program[0].rsplit("/", 1)[-1] in ("pytest", "py.test"):
        python, module_args = python_with(workspace, "pytest"), ["pytest", *rest]
    elif program and rest[:2] == ["-m", "pytest"]:
        python, module_args = program[0], rest[1:]
    else:
        raise CoverageUnavailable(
            f"cannot measure coverage with the test command {test_command!r}: tests-gap runs pytest under coverage",
            hint="pass a pytest command such as `python -m pytest` with --test-command",
        )
    note = ""
    if not _interpreter_imports(workspace, python, "coverage"):
        local = workspace.info.backend == "local" and _interpreter_imports(
            workspace, sys.executable, "coverage", "pytest"
        )
        if not local:
            raise CoverageUnavailable(
                f"coverage.py is not installed for {python}, which runs the tests",
                hint=f"install it ({python} -m pip install coverage) or use --workspace docker, whose image has it",
            )
        note = f"{python} has no coverage.py: the tests ran with swe-team's own Python ({sys.executable})"
        python = sys.executable
    return CoverageCommand(tuple(assignments + _source_path(workspace, assignments)), python, tuple(module_args), note)


def _source_path(workspace: Workspace, assignments: list[str]) -> list[str]:
    """A local workspace of a `src/` layout imports its own `src/` first: an editable install of the user's
    checkout would otherwise shadow the workspace's copy, and the tests would measure the checkout."""
    if (
        workspace.info.backend != "local"
        or not workspace.exists("src")
        or any(word.startswith("PYTHONPATH=") for word in assignments)
    ):
        return []
    inherited = os.environ.get("PYTHONPATH", "")
    return [f"PYTHONPATH=src{os.pathsep + inherited if inherited else ''}"]


@dataclass
class TestRun:
    """What one test function ran in one file."""

    __test__ = False

    lines: set[int]
    arcs: set[Arc]


@dataclass
class PerTest:
    """A run of some tests: each test's outcome, and per test function (its file's stem, its name) what it ran."""

    report: TestReport
    runs: dict[tuple[str, str], dict[str, TestRun]]

    def of(self, test_file: str, name: str) -> dict[str, TestRun]:
        stem = posixpath.splitext(posixpath.basename(test_file))[0]
        return self.runs.get((stem, name), {})


def _read_per_test(text: str) -> dict[tuple[str, str], dict[str, TestRun]]:
    runs: dict[tuple[str, str], dict[str, TestRun]] = {}
    for context, files in json.loads(text).items():
        parts = context.split(".")
        for stem in parts[:-1]:
            entry = runs.setdefault((stem, parts[-1]), {})
            for path, ran in files.items():
                found = entry.setdefault(path, TestRun(set(), set()))
                found.lines.update(ran["lines"])
                found.arcs.update((int(a), int(b)) for a, b in ran["arcs"])
    return runs


def measure_per_test(
    workspace: Workspace, command: CoverageCommand, selectors: list[str], timeout: float, include: list[str]
) -> PerTest:
    """Run the tests `selectors` name under coverage with one context per test function, and read what each
    ran in the `include` files."""
    workspace.exec(f"rm -rf {SCRATCH} && mkdir -p {SCRATCH}", timeout=60)
    try:
        workspace.write_file(PER_TEST_CONFIG, PER_TEST_RC)
        workspace.write_file(PER_TEST_SCRIPT, PER_TEST_READER)
        report = run_tests(workspace, command.run(f"--rcfile={PER_TEST_CONFIG}"), selectors, timeout)
        read = join_words([command.python, PER_TEST_SCRIPT, DATA_FILE, PER_TEST_REPORT, *include])
        if workspace.exec(read, timeout=300).exit_code != 0 or not workspace.exists(PER_TEST_REPORT):
            return PerTest(report, {})
        return PerTest(report, _read_per_test(workspace.read_file(PER_TEST_REPORT)))
    finally:
        workspace.exec(f"rm -rf {SCRATCH}", timeout=60)


def _read_report(text: str) -> dict[str, FileCoverage]:
    files: dict[str, FileCoverage] = {}
    for path, data in json.loads(text).get("files", {}).items():
        files[path] = FileCoverage(
            executed=set(data.get("executed_lines", [])),
            missing=set(data.get("missing_lines", [])),
            executed_arcs={(int(a), int(b)) for a, b in data.get("executed_branches", [])},
            missing_arcs={(int(a), int(b)) for a, b in data.get("missing_branches", [])},
        )
    return files


def measure(
    workspace: Workspace,
    command: CoverageCommand,
    selectors: list[str] | None,
    timeout: float,
    include: list[str] | None = None,
) -> Measurement:
    """Run the tests `selectors` name (all when None) under coverage; the files measured are those of the
    repository, or only `include`."""
    workspace.exec(f"rm -rf {SCRATCH} && mkdir -p {SCRATCH}", timeout=60)
    try:
        report = run_tests(workspace, command.test_command, selectors, timeout)
        limit = f" --include={shlex.quote(','.join(include))}" if include else ""
        made = workspace.exec(f"{command.coverage} json -o {JSON_REPORT}{limit}", timeout=300)
        if made.exit_code != 0 or not workspace.exists(JSON_REPORT):
            return Measurement(report, {})
        return Measurement(report, _read_report(workspace.read_file(JSON_REPORT)))
    finally:
        workspace.exec(f"rm -rf {SCRATCH}", timeout=60)
