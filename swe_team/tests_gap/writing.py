"""The tester's visit: it is shown each target function with the lines and branches the tests miss, writes
new test files for their boundaries and error paths, and hands in their ids."""

from __future__ import annotations

import dataclasses
import posixpath
from collections import Counter

from pydantic import BaseModel, Field

from roles.context import RoleServices
from roles.loop import RoleVisit, run_tool_loop
from roles.spec import role_spec
from swe_team.tests_gap.targets import FunctionCoverage, TargetFunction
from workspaces.base import Workspace

PROMPT = "prompts/tester_gap.md"
SOURCE_LINES = 120
"""Lines of a function's source shown to the tester; a longer function is cut (it can read the rest)."""


class GapTests(BaseModel):
    """The tester's answer: the test files it wrote and the tests in them."""

    test_files: list[str] = Field(description="The new test files you wrote (repository-relative paths).")
    test_ids: list[str] = Field(
        default_factory=list, description="The pytest node ids of your new tests (file.py::test_name)."
    )
    explanation: str = Field(default="", description="One line: what the tests check, and any test left out.")


def test_folder(workspace: Workspace) -> str:
    """Where most of the repository's test files are (`tests` when it has none yet)."""
    folders = Counter(
        posixpath.dirname(path)
        for path in workspace.list_files()
        if posixpath.basename(path).startswith("test") and path.endswith(".py")
    )
    return folders.most_common(1)[0][0] if folders else "tests"


def function_section(workspace: Workspace, target: TargetFunction, coverage: FunctionCoverage) -> str:
    """A target's source with numbered lines, `!` on each that never ran, and the branches never taken."""
    lines = workspace.read_file(target.path).splitlines()
    end = min(target.end_line, target.start_line + SOURCE_LINES - 1)
    missing = set(coverage.missing_lines)
    numbered = "\n".join(
        f"{'!' if number in missing else ' '}{number:5} {lines[number - 1]}"
        for number in range(target.start_line, min(end, len(lines)) + 1)
    )
    cut = f"\n… (cut; the function ends at line {target.end_line})" if end < target.end_line else ""
    branches = ", ".join(f"{start}→{'exit' if stop < 0 else stop}" for start, stop in coverage.missing_branches)
    covered = (
        f"Covered now: {coverage.covered_lines}/{coverage.lines} lines, "
        f"{coverage.covered_branches}/{coverage.branches} branches."
        if coverage.measured
        else "No existing test imports this file: none of it runs."
    )
    return (
        f"### `{target.qualname}` in {target.path} (lines {target.start_line}–{target.end_line})\n{covered}"
        + (f" Branches never taken (from line → to line): {branches}." if branches else "")
        + f"\n```python\n{numbered}{cut}\n```"
    )


def write_tests(
    services: RoleServices,
    targets: list[tuple[TargetFunction, FunctionCoverage]],
    test_command: str,
    journal_key: str,
) -> GapTests:
    """One visit of the tester with the tests-gap prompt; its answer once it submits."""
    spec = dataclasses.replace(role_spec("tester"), prompt_file=PROMPT)
    visit = RoleVisit(spec, services, journal_key=journal_key)
    workspace = services.tools.workspace
    sections = [function_section(workspace, target, coverage) for target, coverage in targets]
    messages = visit.opening(
        f"## Functions to test ({len(targets)})",
        *sections,
        f"Test command: `{test_command}`. Put your new test files in `{test_folder(workspace)}/`.",
    )
    return run_tool_loop(visit, messages, GapTests)
