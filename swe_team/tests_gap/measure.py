"""Coverage measured in a workspace: the test command run under coverage.py, read back as lines and branches.

The tests run through the same runner machinery as every other test run (`tools.test_results.run_tests`), so
each test's outcome is read as usual; coverage only wraps the interpreter (`python -m coverage run --branch -m
pytest …`). Its data and JSON report live in a scratch folder inside the workspace, removed after each run so
that they never reach a diff.
"""

from __future__ import annotations

import json
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
    """The test command wrapped in coverage, and how coverage itself is run for its report."""

    test_command: str
    coverage: str
    """`<python> -m coverage`, with the data file in the scratch folder."""
    note: str = ""


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
    environment = [*assignments, f"COVERAGE_FILE={DATA_FILE}"]
    wrapped = [*environment, python, "-m", "coverage", "run", "--branch", "-m", *module_args]
    return CoverageCommand(
        join_words(wrapped), join_words([f"COVERAGE_FILE={DATA_FILE}", python, "-m", "coverage"]), note
    )


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
