"""File edits as data: the `FileEdit`s between two versions of a file, and the `EditAction` a tool reports."""

from __future__ import annotations

import difflib
from typing import Any

from core.edit_actions import EditAction, FileEdit
from tools.base import ToolContext


def file_edits(path: str, before: str, after: str) -> list[FileEdit]:
    """The contiguous line replacements that turn `before` into `after`, in lines of `before`."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    return [
        FileEdit(
            path=path,
            start_line=old_start + 1,
            end_line=old_end,
            before="".join(old[old_start:old_end]),
            after="".join(new[new_start:new_end]),
        )
        for old_start, old_end, new_start, new_end in _in_place(old, new) or _differing_blocks(old, new)
    ]


def _in_place(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """Runs of changed lines when the edit only rewrote lines where they stand (a rename): the same number of lines
    and few of them changed. Empty otherwise (then the lines are matched by `difflib`, whose cost grows with the
    square of a long file's length)."""
    if len(old) != len(new):
        return []
    changed = [index for index, (line, other) in enumerate(zip(old, new, strict=True)) if line != other]
    if len(changed) > max(8, len(old) // 10):
        return []
    runs: list[tuple[int, int, int, int]] = []
    for index in changed:
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1, runs[-1][2], index + 1)
        else:
            runs.append((index, index + 1, index, index + 1))
    return runs


def _differing_blocks(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def report_action(
    ctx: ToolContext, tool: str, arguments: dict[str, Any], changes: dict[str, tuple[str, str]], summary: str
) -> EditAction:
    """The action of one tool call (`changes`: path → (before, after)), handed to the context's action log."""
    edits = [edit for path, (before, after) in changes.items() for edit in file_edits(path, before, after)]
    action = EditAction(tool=tool, arguments=arguments, edits=edits, summary=summary)
    ctx.action_made(action)
    return action
