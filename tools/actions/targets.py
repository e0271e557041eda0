"""Which definition an action is about: the code graph's answer for a symbol, one definition or a clear refusal."""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from core.errors import ToolError
from tools.actions.source_tree import graph_of, host_root
from tools.base import ToolContext

DEFINITION_KINDS = ("class", "function", "method")
SCOPE_NODES = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
ScopeNode = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Target:
    """One definition: where it is and the name it has."""

    path: str
    qualname: str
    kind: str
    start_line: int
    end_line: int

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def is_python(self) -> bool:
        return self.path.endswith((".py", ".pyi"))

    def describe(self) -> str:
        return f"{self.kind} {self.qualname} ({self.path}:{self.start_line})"


def check_identifier(name: str, what: str = "new_name") -> None:
    if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
        raise ToolError(
            f"{what} {name!r} is not an identifier", hint="letters, digits and _, not starting with a digit"
        )


def find_target(ctx: ToolContext, symbol: str) -> Target:
    """The one class, function or method `symbol` names, else a ToolError listing what it could mean."""
    symbol = symbol.strip()
    graph = graph_of(ctx)
    if graph is not None:
        found = [
            Target(info.path, info.qualname, info.kind, info.start_line, info.end_line)
            for info in graph.definition(symbol)
            if info.kind in DEFINITION_KINDS
        ]
    else:
        found = _python_definitions(host_root(ctx), symbol)
    if not found:
        raise ToolError(
            f"no class, function or method named {symbol!r}",
            hint="graph_search finds the exact name; give it as path.py:Class.method",
        )
    if len(found) > 1:
        listed = ", ".join(f"{t.path}:{t.qualname}" for t in found[:8])
        raise ToolError(
            f"{symbol!r} is defined {len(found)} times ({listed}); nothing was changed",
            hint="name the one you mean as path:Qual.name",
        )
    return found[0]


def _python_definitions(root: Path, symbol: str) -> list[Target]:
    """Definitions by `path:Qual.name`, `Qual.name` or a bare name, read with `ast` (no code graph)."""
    path_part, _, qual = symbol.rpartition(":")
    files = [root / path_part] if path_part else sorted(root.rglob("*.py"))
    found: list[Target] = []
    for file in files:
        if not file.is_file():
            continue
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        relative = file.relative_to(root).as_posix()
        for qualname, node in _defs(tree.body, ""):
            if qual in (qualname, qualname.rsplit(".", 1)[-1]) if not path_part else qual == qualname:
                kind = "class" if isinstance(node, ast.ClassDef) else "method" if "." in qualname else "function"
                found.append(Target(relative, qualname, kind, node.lineno, node.end_lineno or node.lineno))
    return found


def _defs(body: list[ast.stmt], prefix: str) -> list[tuple[str, ScopeNode]]:
    found: list[tuple[str, ScopeNode]] = []
    for node in body:
        if isinstance(node, SCOPE_NODES):
            qualname = f"{prefix}{node.name}"
            found.append((qualname, node))
            if isinstance(node, ast.ClassDef):
                found.extend(_defs(node.body, qualname + "."))
    return found


def name_offset(source: str, target: Target) -> int:
    """Character offset of the defined name in its `def`/`class` line (decorators come first)."""
    lines = source.splitlines(keepends=True)
    pattern = re.compile(rf"^\s*(?:async\s+def|def|class)\s+({re.escape(target.name)})\b")
    for number in range(target.start_line, min(target.end_line, len(lines)) + 1):
        match = pattern.match(lines[number - 1])
        if match:
            return sum(len(line) for line in lines[: number - 1]) + match.start(1)
    raise ToolError(f"cannot find the definition of {target.name} at {target.path}:{target.start_line}")


def bindings_in_scope(source: str, target: Target, name: str) -> list[int]:
    """Lines where `name` is bound (def, class, assignment, import) in the scope that defines `target`."""
    body: list[ast.stmt] = ast.parse(source).body
    for part in target.qualname.split(".")[:-1]:
        body = next((n.body for n in body if isinstance(n, SCOPE_NODES) and n.name == part), [])
    lines: list[int] = []
    for statement in _flattened(body):
        if isinstance(statement, SCOPE_NODES) and statement.name == name and not is_overload(statement):
            lines.append(statement.lineno)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                lines.append(statement.lineno)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)) and any(
            (alias.asname or alias.name.split(".")[0]) == name for alias in statement.names
        ):
            lines.append(statement.lineno)
    return lines


def is_overload(node: ScopeNode) -> bool:
    """A `typing.overload` stub: a signature of the one implementation that follows, not another definition."""
    return any(
        (isinstance(d, ast.Name) and d.id == "overload") or (isinstance(d, ast.Attribute) and d.attr == "overload")
        for d in node.decorator_list
    )


def _flattened(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a scope, looking into `if`/`try` blocks (which still bind in that scope)."""
    found: list[ast.stmt] = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, ast.If):
            found.extend(_flattened(statement.body + statement.orelse))
        elif isinstance(statement, ast.Try):
            handlers = [s for h in statement.handlers for s in h.body]
            found.extend(_flattened(statement.body + handlers + statement.orelse + statement.finalbody))
    return found
