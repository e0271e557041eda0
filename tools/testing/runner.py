"""What every test runner provides: the command to run for some selectors, and the results read back.

A runner turns the repository's test command and the caller's selectors into an `Invocation` (selectors
naming nothing that exists are left out and listed, so that one bad selector never empties a run), then reads
each test's outcome from what the command printed or wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from tools.testing.command import join_words, quote_word, simple_words, without
from tools.testing.report import TestCase

if TYPE_CHECKING:
    from workspaces.base import ExecResult, Workspace


@dataclass(frozen=True)
class Invocation:
    """One run of a runner: what executes, what the report shows, and what was left out or widened."""

    command: str
    shown: str
    selected: list[str] = field(default_factory=list)
    """The selectors that name something that exists, as passed to the runner."""
    unknown: list[str] = field(default_factory=list)
    note: str = ""
    results_file: str = ""
    """A file the command writes per-test results to (pytest's JUnit XML), removed after reading."""
    keep: list[str] = field(default_factory=list)
    """When the run was widened to whole files: only the results these selectors name are reported."""
    runnable: bool = True
    """False when selectors were given and none of them names anything that exists."""


@dataclass(frozen=True)
class Reading:
    cases: list[TestCase]
    collected_ok: bool


class Runner(Protocol):
    """A test runner bound to the repository's test command (`command`)."""

    name: str
    command: str

    def invocation(self, workspace: Workspace, selectors: list[str]) -> Invocation:
        """The command for `selectors` (all tests when empty)."""
        ...

    def read(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Reading: ...

    def retry(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Invocation | None:
        """A second invocation when the runner refused the whole run over some selectors, else None."""
        ...

    def file_selectors(self, workspace: Workspace, test_ids: list[str]) -> list[str]:
        """Selectors of the files or modules holding `test_ids`: SWE-bench runs whole test files."""
        ...


def combined_output(result: ExecResult) -> str:
    return "\n".join(part for part in (result.stdout, result.stderr) if part)


def with_selectors(
    command: str, selectors: list[str], own: Callable[[list[str]], list[int]] | None = None
) -> str:
    """`command` followed by `selectors`; with selectors, the positional targets `own` finds in a simple
    command are dropped first (a command's default test paths would otherwise run every test anyway)."""
    words = simple_words(command)
    if selectors and words is not None and own is not None:
        command = join_words(without(words, own(words)))
    return " ".join([command, *(quote_word(selector) for selector in selectors)])


def path_checker(workspace: Workspace) -> Callable[[str], bool]:
    """Whether a repository-relative path is a file or a directory, from one listing of the files (one call
    rather than one per path: each is a round trip into a container)."""
    files = set(workspace.list_files())
    directories = {path.rsplit("/", 1)[0] for path in files if "/" in path}
    directories |= {d.rsplit("/", depth)[0] for d in list(directories) for depth in range(1, d.count("/") + 1)}

    def exists(path: str) -> bool:
        clean = path.strip().removeprefix("./").rstrip("/")
        return clean in files or clean in directories or clean in ("", ".")

    return exists


def split_known(selectors: list[str], exists: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """(selectors `exists` accepts, without repeats; the others)."""
    known: list[str] = []
    unknown: list[str] = []
    for selector in selectors:
        target = known if exists(selector) else unknown
        if selector not in target:
            target.append(selector)
    return known, unknown


def nothing_to_run(command: str, unknown: list[str]) -> Invocation:
    return Invocation(command=command, shown=command, unknown=unknown, runnable=False)
