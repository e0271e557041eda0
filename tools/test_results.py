"""Running a repository's tests in a workspace and reading each test's outcome: the entry points.

`run_tests` runs a command (detected when empty: pytest, unittest, Django's runtests.py, sympy's bin/test, a
tox environment's test command) on some selectors; `run_test_ids` runs the files holding a list of SWE-bench
test ids and gives each id its outcome. The runners, parsers and id matching live in `tools/testing/`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.testing.command import join_words
from tools.testing.detect import detect_test_command
from tools.testing.ids import outcome_of, selected
from tools.testing.report import OUTPUT_TAIL, TestCase, TestReport
from tools.testing.resolve import ResolvedCommand, runner_for
from tools.testing.runner import combined_output

if TYPE_CHECKING:
    from workspaces.base import Workspace

RETRIES = 2
"""Runs repeated after the runner refused one (pytest: an option it does not know, then an unknown node id)."""

__all__ = ["IdOutcomes", "TestCase", "TestReport", "detect_test_command", "run_test_ids", "run_tests"]


def _run(workspace: Workspace, resolved: ResolvedCommand, selectors: list[str], timeout: float) -> TestReport:
    runner = resolved.runner
    invocation = runner.invocation(workspace, selectors)
    if not invocation.runnable:
        return TestReport(
            command=invocation.shown,
            exit_code=0,
            collected_ok=False,
            output="nothing ran: no selector names a test file, module or test that exists",
            runner=runner.name,
            unknown_selectors=invocation.unknown,
            note=resolved.note,
        )
    started = time.monotonic()
    result = workspace.exec(invocation.command, timeout=timeout)
    reading = runner.read(workspace, result, invocation)
    for _ in range(RETRIES):
        again = None if result.timed_out else runner.retry(workspace, result, invocation)
        if again is None:
            break
        invocation = again
        result = workspace.exec(again.command, timeout=max(1.0, timeout - (time.monotonic() - started)))
        reading = runner.read(workspace, result, again)
    cases, unknown = reading.cases, list(invocation.unknown)
    if invocation.keep:
        cases = selected(cases, invocation.keep)
        unknown += [s for s in invocation.keep if outcome_of(cases, s) == "missing" and s not in unknown]
    return TestReport(
        command=invocation.shown,
        exit_code=result.exit_code,
        cases=cases,
        collected_ok=reading.collected_ok,
        duration_s=time.monotonic() - started,
        timed_out=result.timed_out,
        output=combined_output(result)[-OUTPUT_TAIL:],
        runner=runner.name,
        unknown_selectors=unknown,
        note="; ".join(note for note in (resolved.note, invocation.note) if note),
    )


def run_tests(
    workspace: Workspace, command: str, selectors: list[str] | None = None, timeout: float = 600.0
) -> TestReport:
    """Run `command` (detected when empty) on `selectors` (test ids, files, labels; all tests when none) and
    read each test's outcome. Selectors naming nothing that exists are left out and listed in the report."""
    command = command.strip() or detect_test_command(workspace)
    options, wanted = split_options([selector.strip() for selector in selectors or [] if selector.strip()])
    if options:
        command = f"{command} {join_words(options)}"
    return _run(workspace, runner_for(workspace, command), wanted, timeout)


def split_options(selectors: list[str]) -> tuple[list[str], list[str]]:
    """(options given among the selectors, such as `-k name`, with their values; the selectors proper). A word
    after an option is its value unless it looks like a test path."""
    options: list[str] = []
    rest: list[str] = []
    for index, word in enumerate(selectors):
        after_option = index > 0 and selectors[index - 1].startswith("-") and "=" not in selectors[index - 1]
        looks_like_path = "/" in word or "::" in word or word.endswith(".py")
        if word.startswith("-") or (after_option and not looks_like_path and options[-1:] == [selectors[index - 1]]):
            options.append(word)
        else:
            rest.append(word)
    return options, rest


@dataclass
class IdOutcomes:
    """Each test id asked for, with the outcome of the results it names: passed, failed, error, skipped, or
    missing when no result carries it."""

    report: TestReport
    outcomes: dict[str, str]


def run_test_ids(
    workspace: Workspace, command: str, test_ids: list[str], timeout: float, files: list[str] | None = None
) -> IdOutcomes:
    """Run the test files holding `test_ids` (plus `files`, e.g. those a test patch touches: a Django id that
    is only a docstring line names no module) and give each id its outcome; ids SWE-bench cut at a space
    match the result they begin."""
    command = command.strip() or detect_test_command(workspace)
    resolved = runner_for(workspace, command)
    selectors = list(dict.fromkeys([*resolved.runner.file_selectors(workspace, test_ids), *(files or [])]))
    report = _run(workspace, resolved, selectors, timeout) if selectors else TestReport(command, 0, collected_ok=False)
    return IdOutcomes(report, {test_id: outcome_of(report.cases, test_id) for test_id in test_ids})
