"""File edits as data: the `FileEdit`s between two versions of a file, and the `EditAction` a tool reports."""

from __future__ import annotations

import difflib
from typing import Any

from core.edit_actions import EditAction, FileEdit
from tools.base import ToolContext


def file_edits(path: str, before: str, after: str) -> list[FileEdit]:
    """The contiguous line replacements that turn `before` into `after`, in lines of `before`."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    edits = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            FileEdit(
                path=path,
                start_line=old_start + 1,
                end_line=old_end,
                before="".join(old[old_start:old_end]),
                after="".join(new[new_start:new_end]),
            )
        )
    return edits


def report_action(
    ctx: ToolContext, tool: str, arguments: dict[str, Any], changes: dict[str, tuple[str, str]], summary: str
) -> EditAction:
    """The action of one tool call (`changes`: path → (before, after)), handed to the context's action log."""
    edits = [edit for path, (before, after) in changes.items() for edit in file_edits(path, before, after)]
    action = EditAction(tool=tool, arguments=arguments, edits=edits, summary=summary)
    ctx.action_made(action)
    return action
