"""The action log: a patch as the ordered `EditAction`s that made it, and what can be done with such a sequence.

Each logged action carries its place in the sequence (`index`), so a reducer can both append a role's new actions
and replace the tail when a person keeps the first k actions and corrects the next one. An action's edits are in
lines of each file as it was before the action (the form `tools.actions.edits.file_edits` produces).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from core.edit_actions import EditAction, FileEdit
from core.errors import SweTeamError

CUT = "-cut-"
"""The tool name of `cut_at`'s marker: never a real tool, never kept in the sequence."""
DEVELOPER = "developer"
"""The `role` of an action a person made (a correction at a gate)."""


class ActionDoesNotApply(SweTeamError):
    """An action's edits do not match the file they were made on (the file changed in another way)."""


class LoggedAction(EditAction):
    """An `EditAction` with its place in the job's sequence and who made it."""

    index: int = Field(ge=0, description="Position in the job's action sequence, from 0.")
    role: str = Field(default="", description="The role that made it (coder, tester) or `developer`.")


def _index(item: Any) -> int:
    return int(item["index"] if isinstance(item, dict) else item.index)


def _tool(item: Any) -> str:
    return str(item.get("tool", "") if isinstance(item, dict) else item.tool)


def merge_actions(left: Sequence[Any], right: Sequence[Any]) -> list[Any]:
    """The reducer of `TeamState.actions`: the update's actions take their places, dropping every action from the
    first of them on (a role appends at the end; a correction at a gate replaces the tail; `cut_at` only drops)."""
    if not right:
        return list(left)
    start = min(_index(item) for item in right)
    kept = [item for item in left if _index(item) < start]
    return kept + sorted((item for item in right if _tool(item) != CUT), key=_index)


def cut_at(index: int) -> LoggedAction:
    """An update item that drops the action at `index` and every later one, adding nothing."""
    return LoggedAction(tool=CUT, index=index)


def logged(actions: Sequence[EditAction], start: int, role: str) -> list[LoggedAction]:
    """`actions` numbered from `start`, as made by `role`."""
    return [
        LoggedAction(**action.model_dump(exclude={"index", "role"}), index=start + n, role=role)
        for n, action in enumerate(actions)
    ]


def apply_action(files: dict[str, str], action: EditAction) -> dict[str, str]:
    """The files after `action` (`files`: path → text before it; a missing path is a new, empty file).
    `ActionDoesNotApply` when an edit's `before` text is not at its lines."""
    result = dict(files)
    for path in action.files():
        lines = result.get(path, "").splitlines(keepends=True)
        for edit in sorted((e for e in action.edits if e.path == path), key=lambda e: e.start_line, reverse=True):
            found = "".join(lines[edit.start_line - 1 : edit.end_line])
            if found != edit.before:
                raise ActionDoesNotApply(
                    f"{action.tool} on {path}: lines {edit.start_line}-{edit.end_line} no longer hold the text "
                    "it replaced",
                    hint="the file changed outside the action log (e.g. by a shell command)",
                )
            lines[edit.start_line - 1 : edit.end_line] = edit.after.splitlines(keepends=True)
        result[path] = "".join(lines)
    return result


def replay(files: dict[str, str], actions: Sequence[EditAction]) -> dict[str, str]:
    """The files after every action of `actions`, in order."""
    for action in actions:
        files = apply_action(files, action)
    return files


def touched_files(*sequences: Sequence[EditAction]) -> list[str]:
    """Every file the actions edit, in the order first edited."""
    return list(dict.fromkeys(path for actions in sequences for action in actions for path in action.files()))


def same_effect(first: EditAction | None, second: EditAction | None) -> bool:
    """Two actions make the same edits (the tool and its arguments aside)."""
    if first is None or second is None:
        return first is second
    return _edits(first) == _edits(second)


def _edits(action: EditAction) -> list[tuple[str, int, int, str, str]]:
    return [(e.path, e.start_line, e.end_line, e.before, e.after) for e in action.edits]


def divergence_point(chosen: Sequence[EditAction], rejected: Sequence[EditAction]) -> int | None:
    """Index of the first action that differs between the two sequences; None when they are the same."""
    for index in range(max(len(chosen), len(rejected))):
        first = chosen[index] if index < len(chosen) else None
        second = rejected[index] if index < len(rejected) else None
        if not same_effect(first, second):
            return index
    return None


def edit_summary(edits: Sequence[FileEdit]) -> str:
    """`path +added -removed` per file, e.g. `shop/cart.py +1 -1`."""
    counts: dict[str, list[int]] = {}
    for edit in edits:
        added, removed = counts.setdefault(edit.path, [0, 0])
        counts[edit.path] = [added + len(edit.after.splitlines()), removed + len(edit.before.splitlines())]
    return ", ".join(f"{path} +{added} -{removed}" for path, (added, removed) in counts.items())


def correction(edits: Sequence[FileEdit], summary: str, created: Sequence[str] = ()) -> EditAction:
    """A person's edits as the tool call a model would have made for them: `search_replace` for one replaced block,
    `create_file` for a file in `created`, else `edit_lines` with every edit."""
    if len(edits) == 1 and edits[0].before:
        edit = edits[0]
        arguments: dict[str, Any] = {"path": edit.path, "search": edit.before, "replace": edit.after}
        return EditAction(tool="search_replace", arguments=arguments, edits=list(edits), summary=summary)
    if len(edits) == 1 and edits[0].path in created and edits[0].end_line == 0:
        arguments = {"path": edits[0].path, "content": edits[0].after}
        return EditAction(tool="create_file", arguments=arguments, edits=list(edits), summary=summary)
    listed = [e.model_dump(include={"path", "start_line", "end_line", "after"}) for e in edits]
    return EditAction(tool="edit_lines", arguments={"edits": listed}, edits=list(edits), summary=summary)
