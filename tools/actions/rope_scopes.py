"""Where rope's scopes start and end, from Python's own AST positions.

Rope finds the scope holding an occurrence by each scope's region, which it takes from a "patched" AST: the whole
module re-tokenized against its tree, about a tenth of a second for a large module, paid again for every module an
action reads after it changed. `Scope.get_region` is replaced by one reading the positions the standard `ast`
module already records (the same spans: from a definition's first decorator or keyword, or a comprehension's
opening bracket, to the end of its last token); the module's own region, which rope asks for rarely, stays rope's.
"""

from __future__ import annotations

import ast
import re
from typing import Any

_INSTALLED = "swe_team_ast_regions"
_REGION = "swe_team_region"
_LINE_STARTS = "swe_team_line_starts"
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_LINE_END = re.compile(r"\r\n?|\n")
"""Where `ast` counts a new line (a form feed or other `str.splitlines` breaks are not)."""


def use_ast_scope_regions() -> None:
    """Install the AST-position regions into rope's `Scope` (once per process)."""
    from rope.base import pyscopes

    if getattr(pyscopes.Scope, _INSTALLED, False):
        return
    rope_region = pyscopes.Scope.get_region

    def get_region(scope: Any) -> tuple[int, int]:
        node = scope.pyobject.get_ast()
        if isinstance(node, ast.Module):
            region: tuple[int, int] = rope_region(scope)
            return region
        found: tuple[int, int] | None = getattr(node, _REGION, None)
        if found is None:
            module = scope.pyobject.get_module()
            found = region_of(node, module.source_code, module.get_ast())
            setattr(node, _REGION, found)
        return found

    pyscopes.Scope.get_region = get_region
    setattr(pyscopes.Scope, _INSTALLED, True)


def region_of(node: ast.AST, source: str, module: ast.AST) -> tuple[int, int]:
    """Character offsets of `node`'s span in `source` (`module`: the tree holding it, where line starts are kept)."""
    starts: list[int] | None = getattr(module, _LINE_STARTS, None)
    if starts is None:
        starts = [0, *(match.end() for match in _LINE_END.finditer(source))]
        setattr(module, _LINE_STARTS, starts)
    if isinstance(node, _DEFINITIONS) and node.decorator_list:
        first = node.decorator_list[0]
        start = source.rindex("@", 0, _offset(source, starts, first.lineno, first.col_offset))
    else:
        start = _offset(source, starts, node.lineno, node.col_offset)  # type: ignore[attr-defined]
    end = _offset(source, starts, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
    return start, end


def _offset(source: str, starts: list[int], line: int, byte_column: int) -> int:
    """The character offset of a 1-based line and a UTF-8 byte column (as `ast` counts them)."""
    line_start = starts[line - 1]
    text = source[line_start : starts[line] if line < len(starts) else len(source)]
    if text.isascii():
        return line_start + byte_column
    return line_start + len(text.encode("utf-8")[:byte_column].decode("utf-8", errors="replace"))
