"""Python names reached through a string (`getattr(obj, "name")`, setattr, hasattr, delattr), which a rename
cannot follow, kept to the uses that can reach the definition being renamed.

A method can be reached through any object whose class the code does not declare, so such a use counts unless
`unreached` (given the use's file, line, object and the functions around it) knows the object's classes and none can
have the method (`hasattr(report.longrepr, "toterminal")` with `longrepr` annotated as reprs). A module-level
function or class is an attribute of its module only: a use counts when its object may be a module (a name the
file imports, `sys.modules[...]`, `import_module(...)`, `globals()`, or a variable of unknown type), and not when the
object is `self`/`cls`, or a variable while the repository gives its objects an attribute of that name
(`hasattr(response, "request")` reads `Response.request`, not the module's `request` function).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from tools.actions.fixture_types import FunctionNode
from tools.actions.source_tree import PythonTexts
from tools.actions.targets import Target

Unreached = Callable[[str, int, ast.expr, list[FunctionNode]], bool]

ACCESSORS = frozenset({"getattr", "setattr", "hasattr", "delattr"})
_ACCESSOR_CALL = re.compile(r"\b(?:getattr|setattr|hasattr|delattr)\s*\(")
_MODULE_MACHINERY = re.compile(r"\b(?:modules|import_module|__import__|globals|vars|getmodule|load_module)\b")
_INSTANCE_NAMES = frozenset({"self", "cls"})


def dynamic_uses(texts: PythonTexts, target: Target, unreached: Unreached | None = None, limit: int = 5) -> list[str]:
    """`path:line` of the getattr-style uses naming `target.name` as a string that can reach `target`."""
    name = target.name
    quoted = re.compile(rf"['\"]{re.escape(name)}['\"]")
    module_level = target.kind != "method" and "." not in target.qualname
    attribute_of_objects: bool | None = None
    found: list[str] = []
    for path in texts.mentioning(name):
        text = texts.texts[path]
        if not quoted.search(text) or not _ACCESSOR_CALL.search(text):
            continue
        for line, receiver, functions, imported in _accesses(text, name):
            if (
                target.kind == "method"
                and receiver is not None
                and unreached is not None
                and unreached(path, line, receiver, functions)
            ):
                continue
            if module_level and not _may_be_module(receiver, imported, text):
                if _is_instance(receiver):
                    continue
                if attribute_of_objects is None:
                    attribute_of_objects = _objects_have_attribute(texts, name)
                if attribute_of_objects:
                    continue
            found.append(f"{path}:{line}")
            if len(found) >= limit:
                return found
    return found


Access = tuple[int, ast.expr | None, list[FunctionNode], frozenset[str]]


def _accesses(text: str, name: str) -> list[Access]:
    """(line, object, the functions around it innermost first, names the file imports) of each accessor call
    naming `name`, by line; a file `ast` cannot read gives its textual matches with no object, which always count."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        pattern = re.compile(rf"{_ACCESSOR_CALL.pattern}[^()]*?['\"]{re.escape(name)}['\"]")
        return [(text.count("\n", 0, m.start()) + 1, None, [], frozenset()) for m in pattern.finditer(text)]
    imported = frozenset(
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    )
    found: list[Access] = []
    pending: list[tuple[ast.AST, list[FunctionNode]]] = [(tree, [])]
    while pending:
        node, functions = pending.pop()
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ACCESSORS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == name
        ):
            found.append((node.lineno, node.args[0], functions, imported))
        inner = [node, *functions] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else functions
        pending.extend((child, inner) for child in ast.iter_child_nodes(node))
    return sorted(found, key=lambda access: access[0])


def _may_be_module(receiver: ast.expr | None, imported: frozenset[str], text: str) -> bool:
    if receiver is None:
        return True
    if isinstance(receiver, ast.Name):
        return receiver.id in imported
    spelt = ast.get_source_segment(text, receiver) or ""
    return _MODULE_MACHINERY.search(spelt) is not None


def _is_instance(receiver: ast.expr | None) -> bool:
    return isinstance(receiver, ast.Name) and receiver.id in _INSTANCE_NAMES


def _objects_have_attribute(texts: PythonTexts, name: str) -> bool:
    """Some class of the repository defines `name` (a method or class attribute), or code sets `x.name = ...`."""
    escaped = re.escape(name)
    store = re.compile(rf"\.\s*{escaped}\s*(?::[^=\n]*)?=(?!=)|^\s+(?:async\s+def\s+|def\s+)?{escaped}\b", re.M)
    for path in texts.mentioning(name):
        text = texts.texts[path]
        if not store.search(text):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == name and isinstance(node.ctx, ast.Store):
                return True
            if isinstance(node, ast.ClassDef) and any(_binds(statement, name) for statement in node.body):
                return True
    return False


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return statement.name == name
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name
    return False
