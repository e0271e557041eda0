"""Parameter types a rope occurrence finder does not see, read with `ast`: a parameter's annotation, and for a
parameter without one that pytest fills (a test's or a fixture's), the fixture of that name, whose return
annotation (or the one class every return constructs) spells the class of its value."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from tools.actions.source_tree import PythonTexts

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_OPTIONAL = frozenset({"Optional"})
_YIELDED = frozenset({"Generator", "Iterator", "Iterable", "AsyncGenerator", "AsyncIterator", "AsyncIterable"})
"""Return annotations of a `yield` fixture, whose first argument is the fixture's value."""


@dataclass(frozen=True)
class SpeltClass:
    """An expression naming a class, and the file whose module scope it is read in (None: nothing says)."""

    path: str
    expression: str | None


@dataclass(frozen=True)
class Declared:
    """What declares a parameter's class: its annotation (`expression`, None when it spells no single class) or,
    when `by_fixture`, the fixture of its name."""

    expression: str | None
    by_fixture: bool


def fixture_classes(texts: PythonTexts, name: str) -> list[SpeltClass]:
    """Every fixture the project defines under `name` (its function's name or a `name=` alias)."""
    defined = re.compile(rf"\bdef\s+{re.escape(name)}\b|\bname\s*=\s*['\"]{re.escape(name)}['\"]")
    found: list[SpeltClass] = []
    for path in texts.mentioning(name):
        text = texts.texts[path]
        if "fixture" in text and defined.search(text):
            found.extend(SpeltClass(path, spelt) for spelt in texts.derived("fixtures", path, _fixtures).get(name, []))
    return found


def _fixtures(text: str) -> dict[str, list[str | None]]:
    """The fixtures a file defines: name → the class each one's value has."""
    found: dict[str, list[str | None]] = {}
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return found
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = fixture_name(node)
            if name is not None:
                found.setdefault(name, []).append(_value_class(node))
    return found


def fixture_name(function: FunctionNode) -> str | None:
    """The name pytest offers the function's value under when it is a fixture (`name=` or its own)."""
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


def _value_class(function: FunctionNode) -> str | None:
    if function.returns is not None:
        return annotated_class(function.returns, _OPTIONAL | _YIELDED)
    values = [node.value for node in own_nodes(function) if isinstance(node, (ast.Return, ast.Yield))]
    spelt = {_called_class(value) for value in values}
    return spelt.pop() if len(spelt) == 1 else None


def annotated_class(annotation: ast.expr, unwrapped: frozenset[str] = _OPTIONAL) -> str | None:
    """The one class an annotation spells (`Optional[X]`, `X | None` and a string "X" spell X), else None."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            inner = ast.parse(annotation.value.strip(), mode="eval").body
        except SyntaxError:
            return None
        return annotated_class(inner, unwrapped)
    if isinstance(annotation, ast.Subscript) and _last_name(annotation.value) in unwrapped:
        first = annotation.slice.elts[0] if isinstance(annotation.slice, ast.Tuple) else annotation.slice
        return annotated_class(first, unwrapped)
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        kept = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        return annotated_class(kept[0], unwrapped) if len(kept) == 1 else None
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    if isinstance(annotation, (ast.Name, ast.Attribute)):
        return ast.unparse(annotation)
    return None


def _called_class(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
        return ast.unparse(value.func)
    return None


def _last_name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def own_nodes(function: FunctionNode) -> list[ast.AST]:
    """The function's nodes outside the functions, lambdas and classes nested in it."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = [*function.body]
    while pending:
        node = pending.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(node))
    return found


def declared(functions: list[FunctionNode], name: str) -> Declared | None:
    """What declares the class of the parameter `name` of the innermost of `functions` (innermost first) that has
    one; None when none has, the function binds the name again, or it has no annotation and pytest does not fill
    it (the function is neither a test nor a fixture)."""
    for function in functions:
        parameter = parameter_named(function, name)
        if parameter is None:
            if any(star is not None and star.arg == name for star in (function.args.vararg, function.args.kwarg)):
                return None
            continue
        if _rebinds(function, parameter):
            return None
        if parameter.annotation is not None:
            return Declared(annotated_class(parameter.annotation), by_fixture=False)
        if function.name.startswith("test") or fixture_name(function) is not None:
            return Declared(None, by_fixture=True)
        return None
    return None


def parameter_named(function: FunctionNode, name: str) -> ast.arg | None:
    """The function's parameter `name` (not `*args`/`**kwargs`), if it has one."""
    arguments = function.args
    named = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    return next((argument for argument in named if argument.arg == name), None)


def _rebinds(function: FunctionNode, parameter: ast.arg) -> bool:
    """Something in the function binds the parameter's name again (an assignment, `global`, a nested parameter)."""
    name = parameter.arg
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
        if isinstance(node, ast.arg) and node.arg == name and node is not parameter:
            return True
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


def visible_from(fixture: SpeltClass, path: str) -> bool:
    """Pytest offers a conftest.py's fixtures below its folder, a test module's to itself, a plugin's everywhere."""
    folder, _, file = fixture.path.rpartition("/")
    if file == "conftest.py":
        return not folder or path.startswith(folder + "/")
    if file.startswith("test_") or file.endswith("_test.py"):
        return path == fixture.path
    return True


def receiver_of(source: str, start: int, offset: int) -> str | None:
    """The receiver spelt before `.name` in the primary `source[start:...]` whose attribute starts at `offset`."""
    before = source[start:offset].rstrip()
    return before[:-1].strip() if before.endswith(".") else None
