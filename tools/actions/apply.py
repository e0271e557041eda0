"""Check an action's new file texts and write them: every file must still be what the action read, parse, and
(Python) use no name that nothing defines; otherwise nothing is written and the tool answers why."""

from __future__ import annotations

import ast
import builtins
import contextlib
import re
import symtable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.edit_actions import EditAction
from core.errors import ToolError, WorkspaceError
from tools.actions.edits import report_action
from tools.base import ToolContext

MODULE_NAMES = frozenset(dir(builtins)) | {"__file__", "__builtins__", "__spec__", "__loader__", "__path__"}
MAX_FILES_SHOWN = 30
_STAR_IMPORT = re.compile(r"\bimport\s+\*")
TREE_SITTER_GRAMMARS = {
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".java": "java",
    ".go": "go",
}


@dataclass
class Proposal:
    """What an action would change: each file's text as read and as it would be written."""

    tool: str
    arguments: dict[str, Any]
    summary: str
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """Said after the list of edits: what the action saw but left as it was."""

    def change(self, path: str, before: str, after: str) -> None:
        if before != after:
            self.before.setdefault(path, before)
            self.after[path] = after


def unresolved_names(source: str, filename: str = "<file>") -> set[str]:
    """Names the module reads that no scope of it binds and Python does not provide (empty with `import *`)."""
    module = symtable.symtable(source, filename, "exec")
    bound, read = set(MODULE_NAMES), set()
    tables = [module]
    while tables:
        table = tables.pop()
        tables.extend(table.get_children())
        for symbol in table.get_symbols():
            name = symbol.get_name()
            binds_module = symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()
            if (table is module and binds_module) or (symbol.is_declared_global() and symbol.is_assigned()):
                bound.add(name)
            elif symbol.is_referenced() and (table is module or symbol.is_global()):
                read.add(name)
    star_import = _STAR_IMPORT.search(source) is not None
    if "*" in bound or (star_import and any(node.names[0].name == "*" for node in _imports(source))):
        return set()
    return read - bound


def _imports(source: str) -> list[ast.ImportFrom]:
    return [node for node in ast.parse(source).body if isinstance(node, ast.ImportFrom)]


def syntax_errors(path: str, text: str) -> int:
    """Syntax errors in a non-Python source file, as tree-sitter counts them (0 for languages it does not know)."""
    grammar = TREE_SITTER_GRAMMARS.get(Path(path).suffix.lower())
    if grammar is None:
        return 0
    from tree_sitter_language_pack import get_parser

    tree = get_parser(grammar).parse(text.encode("utf-8"))  # type: ignore[arg-type]
    errors, stack = 0, [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            errors += 1
        elif node.has_error:
            stack.extend(node.children)
    return errors


def problems_in(path: str, before: str, after: str) -> list[str]:
    if not path.endswith((".py", ".pyi")):
        if syntax_errors(path, after) > syntax_errors(path, before):
            return [f"{path} would no longer parse"]
        return []
    try:
        new_names = unresolved_names(after, path)  # symtable parses the whole file: a syntax error is raised here
    except (SyntaxError, ValueError) as exc:
        return [f"{path} would no longer parse ({exc.__class__.__name__}: {getattr(exc, 'msg', exc)})"]
    if new_names:
        with contextlib.suppress(SyntaxError, ValueError):
            new_names -= unresolved_names(before, path)
    return [f"{path} would use {', '.join(sorted(new_names))}, which nothing defines"] if new_names else []


def _lines_touched(action: EditAction, path: str) -> str:
    spans = [
        f"{edit.start_line}" if edit.end_line <= edit.start_line else f"{edit.start_line}-{edit.end_line}"
        for edit in action.edits
        if edit.path == path
    ]
    return ", ".join(spans[:8]) + (f" and {len(spans) - 8} more" if len(spans) > 8 else "")


def apply_proposal(ctx: ToolContext, proposal: Proposal) -> str:
    """Check and write the proposal, keep the code graph current, log the action; the observation lists the edits."""
    if not proposal.after:
        raise ToolError(f"{proposal.summary}: nothing to change")
    stale = [path for path, text in proposal.before.items() if _current(ctx, path) != text]
    if stale:
        for path in stale:
            ctx.file_changed(path)
        raise ToolError(
            f"{', '.join(stale)} changed since the action read it; nothing was changed",
            hint="the copy is refreshed now: call the tool again",
        )
    problems = [p for path in proposal.after for p in problems_in(path, proposal.before[path], proposal.after[path])]
    if problems:
        raise ToolError(f"refused: {'; '.join(problems)}; nothing was changed")
    written: list[str] = []
    try:
        for path, text in proposal.after.items():
            ctx.workspace.write_file(path, text)
            written.append(path)
    except WorkspaceError as exc:
        for path in written:
            ctx.workspace.write_file(path, proposal.before[path])
        raise ToolError(f"could not write {path}: {exc.user_message()}; nothing was changed") from exc
    ctx.files_changed(written)
    changes = {path: (proposal.before[path], proposal.after[path]) for path in written}
    action = report_action(ctx, proposal.tool, proposal.arguments, changes, proposal.summary)
    shown = [f"  {path}: lines {_lines_touched(action, path)}" for path in action.files()[:MAX_FILES_SHOWN]]
    if len(action.files()) > MAX_FILES_SHOWN:
        shown.append(f"  … {len(action.files()) - MAX_FILES_SHOWN} more files")
    counted = f"{len(action.edits)} edit{'s' * (len(action.edits) != 1)} in {len(action.files())} file"
    shown.extend(f"  note: {note}" for note in proposal.notes[:MAX_FILES_SHOWN])
    return f"{proposal.summary}: {counted}{'s' * (len(action.files()) != 1)}\n" + "\n".join(shown)


def _current(ctx: ToolContext, path: str) -> str | None:
    try:
        return ctx.workspace.read_file(path)
    except WorkspaceError:
        return None
