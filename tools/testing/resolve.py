"""The runner behind a test command: pytest, unittest, Django's runtests.py, sympy's bin/test, a tox command
(its environment's test command, run without tox), or any other command, whose output is read in every
format we know."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.testing.command import program_index, simple_words
from tools.testing.detect import python_with
from tools.testing.pytest_runner import PytestRunner, is_pytest, parse_pytest_summary
from tools.testing.runner import Invocation, Reading, Runner, combined_output, with_selectors
from tools.testing.sympy_runner import SympyRunner, is_sympy_test, parse_sympy_output
from tools.testing.tox_config import tox_test_command
from tools.testing.unittest_output import parse_unittest_output
from tools.testing.unittest_runner import DjangoRunner, UnittestRunner, is_runtests, is_unittest

if TYPE_CHECKING:
    from workspaces.base import ExecResult, Workspace


class OutputRunner:
    """A command we do not know (`make test`, a script): selectors are appended, results read from its output."""

    name = "output"

    def __init__(self, command: str) -> None:
        self.command = command

    def invocation(self, workspace: Workspace, selectors: list[str]) -> Invocation:
        shown = with_selectors(self.command, selectors)
        return Invocation(command=shown, shown=shown, selected=selectors)

    def retry(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Invocation | None:
        return None

    def read(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Reading:
        output = combined_output(result)
        for parse in (parse_pytest_summary, parse_unittest_output, parse_sympy_output):
            cases = parse(output)
            if cases:
                break
        return Reading(cases, result.exit_code == 0 or bool(cases))

    def file_selectors(self, workspace: Workspace, test_ids: list[str]) -> list[str]:
        return list(test_ids)


@dataclass(frozen=True)
class ResolvedCommand:
    runner: Runner
    note: str = ""
    """Why the command that runs differs from the one given (a tox environment run without tox)."""


def _tox_environment(words: list[str]) -> str:
    for index, word in enumerate(words):
        if word in ("-e", "--env") and index + 1 < len(words):
            return words[index + 1].split(",")[0]
        if word.startswith("-e") and len(word) > 2:
            return word[2:].lstrip("=").split(",")[0]
    return ""


def runner_for(workspace: Workspace, command: str) -> ResolvedCommand:
    """The runner of `command`; a `tox …` command becomes its environment's test command from the tox file."""
    words = simple_words(command)
    if words is not None and words[program_index(words) :][:1] == ["tox"]:
        tox = tox_test_command(workspace, python_with(workspace, "pytest"), _tox_environment(words))
        if tox is not None:
            return ResolvedCommand(runner_for(workspace, tox.command).runner, tox.note())
    rough = command.split()
    kinds: list[tuple[bool, Callable[[str], Runner]]] = [
        (is_pytest(rough), PytestRunner),
        (any(is_runtests(word) for word in rough), DjangoRunner),
        (is_sympy_test(rough), SympyRunner),
        (is_unittest(rough), UnittestRunner),
    ]
    runner = next((kind for matches, kind in kinds if matches), OutputRunner)
    return ResolvedCommand(runner(command))
