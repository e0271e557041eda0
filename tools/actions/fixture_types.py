"""Pytest fixtures as type information, read with `ast`: a function's parameter without an annotation receives the
fixture of that name, and the fixture's return annotation (or the one class every return constructs) spells the
class of that value."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from tools.actions.source_tree import PythonTexts

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_GENERATORS = frozenset(
    {"Generator", "Iterator", "Iterable", "AsyncGenerator", "AsyncIterator", "AsyncIterable", "Optional"}
)
"""Annotations whose first argument is the fixture's value (a `yield` fixture's, or one that may be None)."""


@dataclass(frozen=True)
class FixtureClass:
    """Where a fixture is defined and the expression naming its value's class there (None: nothing says)."""

    path: str
    line: int
    expression: str | None


def fixture_classes(texts: PythonTexts, name: str) -> list[FixtureClass]:
    """Every fixture the project defines under `name` (its function's name or a `name=` alias)."""
    defined = re.compile(rf"\bdef\s+{re.escape(name)}\b|\bname\s*=\s*['\"]{re.escape(name)}['\"]")
    found = []
    for path in texts.mentioning(name):
        text = texts.texts[path]
        if "fixture" not in text or not defined.search(text):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _fixture_name(node) == name:
                found.append(FixtureClass(path, node.lineno, _value_class(node, text)))
    return found


def _fixture_name(function: FunctionNode) -> str | None:
    for decorator in function.decorator_list:
        called = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(called, ast.Name) and called.id == "fixture") or (
            isinstance(called, ast.Attribute) and called.attr == "fixture"
        ):
            keywords = decorator.keywords if isinstance(decorator, ast.Call) else []
            alias = next((k.value for k in keywords if k.arg == "name"), None)
            if isinstance(alias, ast.Constant) and isinstance(alias.value, str):
                return alias.value
            return function.name
    return None


def _value_class(function: FunctionNode, text: str) -> str | None:
    if function.returns is not None:
        return _annotated_class(function.returns, text)
    values = [node.value for node in _own_nodes(function) if isinstance(node, (ast.Return, ast.Yield))]
    spelt = {_called_class(value, text) for value in values}
    if len(spelt) != 1:
        return None
    return spelt.pop()


def _annotated_class(annotation: ast.expr, text: str) -> str | None:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            inner = ast.parse(annotation.value.strip(), mode="eval").body
        except SyntaxError:
            return None
        return _annotated_class(inner, annotation.value.strip())
    if isinstance(annotation, ast.Subscript) and _last_name(annotation.value) in _GENERATORS:
        first = annotation.slice.elts[0] if isinstance(annotation.slice, ast.Tuple) else annotation.slice
        return _annotated_class(first, text)
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        kept = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        return _annotated_class(kept[0], text) if len(kept) == 1 else None
    if isinstance(annotation, (ast.Name, ast.Attribute, ast.Subscript)):
        return ast.get_source_segment(text, annotation.value if isinstance(annotation, ast.Subscript) else annotation)
    return None


def _called_class(value: ast.expr | None, text: str) -> str | None:
    if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
        return ast.get_source_segment(text, value.func)
    return None


def _last_name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _own_nodes(function: FunctionNode) -> list[ast.AST]:
    """The function's nodes outside the functions, lambdas and classes nested in it."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = [*function.body]
    while pending:
        node = pending.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(node))
    return found


def functions_of(tree: ast.Module) -> list[FunctionNode]:
    """The module's functions, outermost first."""
    found = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def receives_fixture(functions: list[FunctionNode], line: int, name: str) -> bool:
    """At `line`, `name` is a parameter of the innermost function around it that has such a parameter, and pytest
    fills it with the fixture: the function is a test or a fixture, the parameter has no annotation and nothing
    in the function binds the name again (`functions` as `functions_of` lists them)."""
    around = [node for node in functions if node.lineno <= line <= (node.end_lineno or node.lineno)]
    for function in reversed(around):
        arguments = function.args
        named = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        parameter = next((argument for argument in named if argument.arg == name), None)
        if parameter is None:
            continue
        injected = function.name.startswith("test") or _fixture_name(function) is not None
        return injected and parameter.annotation is None and not _rebinds(function, name)
    return False


def parametrized_in(texts: PythonTexts, name: str) -> set[str]:
    """The files that pass `name` to a `parametrize(...)` (a decorator or `metafunc.parametrize`): there a
    parameter of that name may hold the parametrized values instead of the fixture."""
    pattern = re.compile(rf"parametrize\(\s*[\[(]?\s*['\"][^'\"]*\b{re.escape(name)}\b")
    return {
        path
        for path in texts.mentioning(name)
        if "parametrize" in texts.texts[path] and pattern.search(texts.texts[path])
    }


def visible_from(fixture: FixtureClass, path: str) -> bool:
    """Pytest offers a conftest.py's fixtures below its folder, a test module's to itself, a plugin's everywhere."""
    folder, _, file = fixture.path.rpartition("/")
    if file == "conftest.py":
        return not folder or path.startswith(folder + "/")
    if file.startswith("test_") or file.endswith("_test.py"):
        return path == fixture.path
    return True


def _rebinds(function: FunctionNode, name: str) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
    return False


def receiver_of(source: str, start: int, offset: int) -> str | None:
    """The receiver spelt before `.name` in the primary `source[start:...]` whose attribute starts at `offset`."""
    before = source[start:offset].rstrip()
    return before[:-1].strip() if before.endswith(".") else None
