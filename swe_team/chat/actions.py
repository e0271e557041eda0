"""The patch as numbered actions at the patch gate, and "keep the first k, change the next" as a decision.

`keep K` keeps actions 1..K; then action K+1 is edited in `$EDITOR` (its edits' new text), replaced by a unified
diff read from a file (on top of the kept actions), or dropped with everything after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from core.action_log import correction, edit_summary
from core.edit_actions import EditAction
from swe_team.chat.editor import EditRejected, run_editor

SHOWN_LINES = 12
"""Lines of one action's edits drawn on the gate's screen; the rest is counted."""
EDIT_BLOCK = re.compile(
    r"^@@@ edit (\d+) of \d+: [^\n]*\n.*?^@@@ after[^\n]*\n(.*?)^@@@ end of edit \1$", re.MULTILINE | re.DOTALL
)
SUB_PROMPT_HELP = (
    "[bold]edit[/] (open it in $EDITOR) · [bold]replace[/] FILE (a unified diff on top of the kept actions) · "
    "{drop}[bold]back[/]"
)


def _edit_lines(action: dict[str, Any]) -> Text:
    text = Text()
    lines: list[tuple[str, str]] = []
    for edit in action.get("edits", []):
        lines.append(("dim", f"  {edit.get('path')} line {edit.get('start_line')}"))
        lines += [("red", f"  -{line}") for line in str(edit.get("before", "")).splitlines()]
        lines += [("green", f"  +{line}") for line in str(edit.get("after", "")).splitlines()]
    for style, line in lines[:SHOWN_LINES]:
        text.append(line + "\n", style=style)
    if len(lines) > SHOWN_LINES:
        text.append(f"  … {len(lines) - SHOWN_LINES} more line(s) (type diff for the whole patch)\n", style="dim")
    return text


def actions_panel(actions: list[dict[str, Any]]) -> RenderableType:
    """Every action of the patch, numbered, with who made it and its edits."""
    parts: list[RenderableType] = []
    for number, action in enumerate(actions, 1):
        model = EditAction.model_validate(action)
        head = Text.assemble(
            (f"{number}. {model.tool}", "bold"),
            f" ({action.get('role') or 'team'}) {model.summary} ",
            (edit_summary(model.edits), "dim"),
        )
        parts += [head, _edit_lines(action)]
    title = "actions — keep K keeps the first K and lets you change the next"
    return Panel(Group(*parts), title=title, title_align="left")


def action_editor_text(action: EditAction, number: int) -> str:
    """Action `number` as a file to edit: each edit's old text, then its new text to change."""
    blocks = [
        f"# Action {number}: {action.tool} — {action.summary}\n"
        "# Change the text after each '@@@ after' line. Delete a whole block (from '@@@ edit' to '@@@ end') to\n"
        "# leave that part of the file as it was. Saving the file unchanged keeps the action as it is.\n"
    ]
    total = len(action.edits)
    for n, edit in enumerate(action.edits, 1):
        after = edit.after if not edit.after or edit.after.endswith("\n") else edit.after + "\n"
        blocks.append(
            f"@@@ edit {n} of {total}: {edit.path}, {_old_text_label(edit.start_line, edit.end_line)}\n{edit.before}"
            f"{'' if not edit.before or edit.before.endswith(chr(10)) else chr(10)}"
            f"@@@ after (your version):\n{after}@@@ end of edit {n}\n"
        )
    return "\n".join(blocks)


def _old_text_label(start_line: int, end_line: int) -> str:
    """What an edit replaces: its lines, or for an insertion (an empty range) nothing, before the line it goes."""
    if end_line < start_line:
        return f"new lines before line {start_line} (no old text):"
    return f"lines {start_line}-{end_line} before:"


def parse_action_edit(text: str, action: EditAction) -> EditAction | None:
    """The corrected action read back from `action_editor_text`; None when every edit block was deleted."""
    edits = []
    for match in EDIT_BLOCK.finditer(text):
        number = int(match.group(1))
        if not 1 <= number <= len(action.edits):
            raise EditRejected(f"there is no edit {number} in this action")
        original = action.edits[number - 1]
        after = match.group(2)
        if not original.after.endswith("\n") and after.endswith("\n"):
            after = after[:-1]
        edits.append(original.model_copy(update={"after": after}))
    if not edits and "@@@ edit" in text:
        raise EditRejected("keep each edit's '@@@ edit', '@@@ after' and '@@@ end of edit N' lines as they were")
    if not edits:
        return None
    return correction(edits, f"the developer's version of: {action.summary}")


def keep_and_change(
    console: Console, read_line: Callable[[str], str], actions: list[dict[str, Any]], text: str
) -> dict[str, Any] | None:
    """The decision for `keep K`: approve when K is every action, else K kept and action K+1 changed; None when
    the person went back to the gate."""
    word = text.strip().lower()
    if word == "all" or (word.isdigit() and int(word) == len(actions)):
        return {"action": "approve", "comment": f"kept all {len(actions)} action(s)"}
    if not word.isdigit() or int(word) > len(actions):
        console.print(f"keep how many? a number from 0 to {len(actions)}, e.g. [bold]keep 2[/]")
        return None
    kept = int(word)
    action = EditAction.model_validate(actions[kept])
    console.print(
        f"keeping action(s) 1-{kept}; action {kept + 1} ({escape(action.summary)}):"
        if kept
        else f"action 1 ({escape(action.summary)}):"
    )
    while True:
        console.print(SUB_PROMPT_HELP.format(drop=f"[bold]drop[/] (keep only the first {kept}) · " if kept else ""))
        try:
            verb, _, rest = read_line(f"action {kept + 1}> ").strip().partition(" ")
        except EOFError:
            return None
        verb = verb.lower().lstrip("/")
        try:
            if verb in ("edit", "e"):
                return _edited(console, kept, action)
            if verb == "replace":
                return _replacement(console, kept, rest.strip())
        except EditRejected as exc:
            console.print(f"[red]not used:[/] {escape(exc.user_message())}")
            continue
        if verb == "drop" and kept == 0:
            console.print("dropping every action leaves no patch: go back and reject it instead")
        elif verb == "drop":
            return {"action": "edit", "kept": kept, "correction": None}
        if verb in ("back", "b", "q"):
            console.print("back at the gate; nothing was sent")
            return None


def _edited(console: Console, kept: int, action: EditAction) -> dict[str, Any] | None:
    before = action_editor_text(action, kept + 1)
    after = run_editor(before, ".txt")
    if after == before:
        raise EditRejected("unchanged: type drop to remove the action, or back to decide at the gate")
    fixed = parse_action_edit(after, action)
    console.print(
        f"actions 1-{kept} kept; your version of action {kept + 1} goes on"
        if kept
        else "your version of action 1 goes on"
    )
    return {"action": "edit", "kept": kept, "correction": fixed.model_dump(mode="json") if fixed else None}


def _replacement(console: Console, kept: int, path_text: str) -> dict[str, Any]:
    path = Path(path_text).expanduser()
    if not path_text or not path.is_file():
        raise EditRejected(f"no file {path_text!r}: give a unified diff file, e.g. replace fix.diff")
    patch = path.read_text(encoding="utf-8")
    if "+++ " not in patch:
        raise EditRejected(f"{path} is not a unified diff (git diff format)")
    console.print(f"your diff replaces action {kept + 1}")
    return {"action": "edit", "kept": kept, "correction_patch": patch}
