"""Candidate sets for the selection benchmark: the reference fix, three mutants of it, an empty patch and another
instance's fix, in a shuffled order under neutral ids.

A mutant is made on the workspace's files with the reference fix applied, from the lines the fix adds: a changed
constant (the first number in an added line, plus one; else the first string, with a letter added), a dropped line
(the first added line that is not blank, a comment or a block opener) and an inverted condition (the first added
`if`/`elif`/`while`/`return` condition, `==`/`!=`, `is`/`is not`, `in`/`not in`). A mutation that cannot be made
on a fix is left out.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from graphs.candidate_trials import apply_diff
from graphs.patch_identity import file_blocks, split_diff
from workspaces.base import Workspace

_NUMBER = re.compile(r"(?<![\w.])(\d+)(?![\w.])")
_STRING = re.compile(r"(['\"])([^'\"\\]*)\1")
_CONDITION = re.compile(r"^(\s*)(if|elif|while) (.+):(\s*#.*)?$")
_SWAPS = ((" == ", " != "), (" != ", " == "), (" is not ", " is "), (" not in ", " in "), (" is ", " is not "))

Mutation = Callable[[str], str | None]


def added_lines(code_diff: str) -> list[tuple[str, str]]:
    """(path, text) of every line a diff adds, in order."""
    found = []
    for path, block in file_blocks(code_diff):
        found += [
            (path, line[1:]) for line in block.splitlines() if line.startswith("+") and not line.startswith("+++")
        ]
    return found


def changed_constant(line: str) -> str | None:
    if number := _NUMBER.search(line):
        return line[: number.start()] + str(int(number.group(1)) + 1) + line[number.end() :]
    if string := _STRING.search(line):
        return line[: string.start(2)] + string.group(2) + "x" + line[string.end(2) :]
    return None


def dropped(line: str) -> str | None:
    stripped = line.strip()
    if not stripped or stripped.startswith(("#", "@")) or stripped.endswith(":"):
        return None
    return ""


def inverted(line: str) -> str | None:
    if found := _CONDITION.match(line):
        return f"{found.group(1)}{found.group(2)} not ({found.group(3)}):{found.group(4) or ''}"
    if line.strip().startswith("return "):
        for old, new in _SWAPS:
            if old in line:
                return line.replace(old, new, 1)
    return None


MUTATIONS: dict[str, Mutation] = {
    "mutant: changed constant": changed_constant,
    "mutant: dropped line": dropped,
    "mutant: inverted condition": inverted,
}


def mutant(workspace: Workspace, start: str, fix: str, mutation: Mutation) -> str:
    """The fix with its first added line that `mutation` changes changed, as a diff against the base commit;
    '' when no added line can be changed so."""
    for path, line in added_lines(split_diff(fix)[0]):
        changed = mutation(line)
        if changed is None:
            continue
        workspace.rollback(start)
        if apply_diff(workspace, fix):
            return ""
        text = workspace.read_file(path)
        lines = text.split("\n")
        if line not in lines:
            continue
        index = lines.index(line)
        lines[index : index + 1] = [] if changed == "" else [changed]
        workspace.write_file(path, "\n".join(lines))
        diff = workspace.diff()
        workspace.rollback(start)
        return diff
    return ""


@dataclass
class CandidateSet:
    diffs: dict[str, str]
    """Neutral id → diff against the base commit."""
    kinds: dict[str, str]
    """Neutral id → what it is (reference fix, a mutant, empty, another instance's fix)."""


def candidate_set(
    workspace: Workspace, start: str, fix: str, other_fix: str, seed: str, mutations: int = len(MUTATIONS)
) -> CandidateSet:
    """The candidates of one instance (with the first `mutations` kinds of mutant), in an order shuffled by `seed`
    (so the earlier-candidate tie-break favours none); the workspace is left at `start`."""
    made = {"reference fix": fix, "empty patch": "", "another instance's fix": other_fix}
    for name, mutation in list(MUTATIONS.items())[:mutations]:
        if diff := mutant(workspace, start, fix, mutation):
            made[name] = diff
    workspace.rollback(start)
    kinds = list(made)
    random.Random(seed).shuffle(kinds)
    ids = {kind: f"c{index + 1}" for index, kind in enumerate(kinds)}
    return CandidateSet(diffs={ids[k]: made[k] for k in kinds}, kinds={ids[k]: k for k in kinds})
