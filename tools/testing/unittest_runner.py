"""unittest (`python -m unittest`) and Django's `tests/runtests.py`: both print unittest's verbose results.

Selectors become dotted labels under the directory whose modules the runner imports: the repository (or
unittest's discovery start or top-level directory), Django's `tests/`. `discover` takes no labels, so a run
with selectors names them instead, with that directory put in front of PYTHONPATH. Labels naming no module are left
out; a missing test inside an existing module is an error of its own in unittest's report and never stops
the others.
"""

from __future__ import annotations

import posixpath
import shlex
from typing import TYPE_CHECKING

from tools.testing.command import (
    is_program,
    join_words,
    module_index,
    own_targets,
    quote_word,
    script_index,
    simple_words,
    without,
)
from tools.testing.ids import dotted
from tools.testing.labels import file_of, label_of
from tools.testing.report import TestCase
from tools.testing.runner import Invocation, Reading, combined_output, nothing_to_run, with_selectors
from tools.testing.unittest_output import parse_unittest_output, ran_line

if TYPE_CHECKING:
    from workspaces.base import ExecResult, Workspace

DISCOVER_OPTIONS = {"-s": "start", "--start-directory": "start", "-t": "top", "--top-level-directory": "top"}
DISCOVER_VALUE_OPTIONS = frozenset([*DISCOVER_OPTIONS, "-p", "--pattern", "-k"])
DJANGO_VALUE_OPTIONS = frozenset(
    ["--settings", "--parallel", "--start-at", "--start-after", "-k", "--tag", "--exclude-tag", "--selenium"]
)
DJANGO_VERBOSITY = ("-v", "--verbosity")


def _discovery_root(words: list[str], start: int) -> str:
    """The directory discovery names modules from: `-t`, else `-s` (or their positional forms), else `.`."""
    if words[start : start + 1] != ["discover"]:
        return "."
    found: dict[str, str] = {}
    positional: list[str] = []
    rest = words[start + 1 :]
    for index, word in enumerate(rest):
        if word in DISCOVER_OPTIONS and index + 1 < len(rest):
            found.setdefault(DISCOVER_OPTIONS[word], rest[index + 1])
        elif not word.startswith("-") and (index == 0 or rest[index - 1] not in DISCOVER_VALUE_OPTIONS):
            positional.append(word)
    for name, at in (("start", 0), ("top", 2)):
        if name not in found and len(positional) > at:
            found[name] = positional[at]
    return posixpath.normpath(found.get("top") or found.get("start") or ".")


class UnittestRunner:
    name = "unittest"

    def __init__(self, command: str) -> None:
        self.command = command
        self.words = simple_words(command)
        words = self.words or []
        self.start = module_index(words, "unittest") or len(words)
        self.root = _discovery_root(words, self.start)

    def command_for(self, labels: list[str]) -> str:
        """The command in verbose mode, naming `labels` when there are any (instead of discovering)."""
        if self.words is None:
            return with_selectors(self.command, labels)
        head, rest = self.words[: self.start], self.words[self.start :]
        discover = rest[:1] == ["discover"]
        verbose = [] if {"-v", "--verbose"} & set(rest) else ["-v"]
        if not labels:
            return join_words([*head, *rest[:1], *verbose, *rest[1:]] if discover else [*head, *verbose, *rest])
        if discover:
            options = [w for w in rest if w in ("-b", "--buffer", "-f", "--failfast", "-c", "--catch", "--locals")]
        else:
            options = without(rest, own_targets(rest, 0, frozenset({"-k"}), lambda word: True))
        options = [w for w in options if w not in ("-v", "--verbose")]
        command = join_words([*head, "-v", *options, *labels])
        if self.root == ".":
            return command
        return f'PYTHONPATH={shlex.quote(self.root)}"${{PYTHONPATH:+:$PYTHONPATH}}" {command}'

    def invocation(self, workspace: Workspace, selectors: list[str]) -> Invocation:
        files = set(workspace.list_files())
        labels: list[str] = []
        unknown: list[str] = []
        for selector in selectors:
            found = [label for label in label_of(self.root, selector, files) if file_of(self.root, label, files)]
            labels.extend(label for label in found if label not in labels)
            if not found:
                unknown.append(selector)
        if selectors and not labels:
            return nothing_to_run(self.command, unknown)
        shown = self.command_for(labels)
        return Invocation(command=shown, shown=shown, selected=labels, unknown=unknown)

    def retry(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Invocation | None:
        return None

    def read(self, workspace: Workspace, result: ExecResult, invocation: Invocation) -> Reading:
        cases = parse_unittest_output("\n".join(part for part in (result.stderr, result.stdout) if part))
        files = set(workspace.list_files())
        located = []
        for case in cases:
            test_id = case.test_id
            if case.collection:
                # unittest names a label it could not load by its last part only
                test_id = next((label for label in invocation.selected if label.endswith("." + test_id)), test_id)
            file = file_of(self.root, dotted(test_id), files)
            located.append(TestCase(test_id, case.outcome, case.message, 0.0, file, case.description, case.collection))
        collected_ok = bool(ran_line(combined_output(result))) and not any(case.collection for case in located)
        return Reading(located, collected_ok)

    def file_selectors(self, workspace: Workspace, test_ids: list[str]) -> list[str]:
        files = set(workspace.list_files())
        return list(dict.fromkeys(f for test_id in test_ids if (f := file_of(self.root, dotted(test_id), files))))


class DjangoRunner(UnittestRunner):
    """Django's own suite: `python tests/runtests.py [labels]`, labels relative to `tests/`, verbosity 2."""

    name = "django"

    def __init__(self, command: str) -> None:
        super().__init__(command)
        words = self.words or []
        script = script_index(words, is_runtests)
        self.start = script or len(words)
        self.root = posixpath.normpath(posixpath.dirname(words[script - 1]) or ".") if script else "tests"

    def command_for(self, labels: list[str]) -> str:
        if self.words is None:
            return with_selectors(self.command, labels)
        rest = self.words[self.start :]
        dropped = own_targets(rest, 0, DJANGO_VALUE_OPTIONS | frozenset(DJANGO_VERBOSITY), lambda w: bool(labels))
        dropped += [i for i, w in enumerate(rest) if w in DJANGO_VERBOSITY or w.startswith(("--verbosity=", "-v"))]
        dropped += [i + 1 for i, w in enumerate(rest) if w in DJANGO_VERBOSITY]
        options = without(rest, dropped)
        parallel = [] if any(w.startswith("--parallel") for w in options) else ["--parallel", "1"]
        return join_words([*self.words[: self.start], "--verbosity", "2", *parallel, *options]) + "".join(
            " " + quote_word(label) for label in labels
        )


def is_runtests(word: str) -> bool:
    return word == "runtests.py" or word.endswith("/runtests.py")


def is_unittest(words: list[str]) -> bool:
    return module_index(words, "unittest") is not None or any(is_program(w, "unittest") for w in words)
