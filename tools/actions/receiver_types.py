"""The classes an object reached through a getattr-style call (`hasattr(report.longrepr, "toterminal")`) may have,
read from the annotations rope does not use: a parameter's annotation, `self`, every value assigned to a local, a
class attribute's annotation, a method's or function's return annotation, a constructor call, `cast(T, x)`.

`None` means the code does not say (an unannotated parameter, a name bound by `with` or a tuple, `Any`, a type
variable): such an object may be anything. A loop variable has the classes of the items of what it walks, when
those are known.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, TypeAlias

from tools.actions.fixture_types import FunctionNode, own_nodes, parameter_named
from tools.actions.source_tree import rope_errors

Classes: TypeAlias = list[Any] | None
"""rope classes (`AbstractClass`); an empty list: the value is None; None: unknown."""
_DEPTH = 5
_UNIONS = frozenset({"Union", "Optional"})
_WRAPPERS = frozenset({"Annotated", "Final", "ClassVar"})
_INSTANCE_NAMES = frozenset({"self", "cls"})
_COLLECTIONS = frozenset({"list", "set", "frozenset", "tuple", "sequence", "iterable", "iterator", "collection"})
"""Annotations of collections (lowercased: `list`, `typing.List`) whose subscript is the class of their items."""
_GROWING = frozenset({"append", "add"})


class ReceiverClasses:
    """Reads receivers' classes in the files of one rope project."""

    def __init__(self, project: Any) -> None:
        self.project = project
        self._reading: set[tuple[int, str]] = set()
        """(function, local) pairs being read: a local read again while its own value is read (`node =
        node.parent`) is unknown."""

    def of(self, path: str, line: int, functions: list[FunctionNode], expression: ast.expr) -> Classes:
        """The classes `expression`, written at `line` of `path` inside `functions` (innermost first), may have."""
        return self._value(_Place(path, line, functions), expression, 0)

    def _value(self, place: _Place, node: ast.expr, depth: int) -> Classes:
        if depth > _DEPTH:
            return None
        if isinstance(node, ast.Constant):
            return [] if node.value is None else self._named(place.path, type(node.value).__name__)
        if isinstance(node, ast.JoinedStr):
            return self._named(place.path, "str")
        if isinstance(node, ast.Name):
            return self._name(place, node.id, depth)
        if isinstance(node, ast.Attribute):
            return self._each(self._value(place, node.value, depth + 1), lambda k: self._attribute(k, node.attr))
        if isinstance(node, ast.Call):
            return self._call(place, node, depth)
        return None

    def _call(self, place: _Place, call: ast.Call, depth: int) -> Classes:
        called = call.func
        if isinstance(called, ast.Attribute) and not (isinstance(called.value, ast.Name) and _is_module(place, called)):
            return self._each(self._value(place, called.value, depth + 1), lambda k: self._returned(k, called.attr))
        if _spelt(called) in ("cast", "typing.cast") and call.args:
            return self._annotation(place.path, call.args[0])
        if isinstance(called, (ast.Name, ast.Attribute)):
            found = self._evaluated(place.path, ast.unparse(called))
            if _is_class(found):
                return [found]
            return self._returns_of(found)
        return None

    def _name(self, place: _Place, name: str, depth: int) -> Classes:
        key = (id(place.functions[0]), name) if place.functions else None
        if key is None or key in self._reading:
            return None
        self._reading.add(key)
        try:
            return self._local(place, name, depth)
        finally:
            self._reading.discard(key)

    def _local(self, place: _Place, name: str, depth: int) -> Classes:
        function = place.functions[0]
        values = _bindings(function, name)
        if values is None:
            return None
        parameter = parameter_named(function, name)
        found: list[Any] = []
        if parameter is not None:
            if parameter.annotation is not None:
                values.append(_Annotated(parameter.annotation))
            elif name in _INSTANCE_NAMES:
                values.append(_Annotated(None))
            else:
                return None
        elif not values:
            return None
        for value in values:
            if isinstance(value, _Annotated):
                classes = (
                    self._own_class(place, name)
                    if value.annotation is None
                    else self._annotation(place.path, value.annotation)
                )
            elif isinstance(value, _Element):
                classes = self._elements(place, value.iterable, depth + 1)
            else:
                classes = self._value(place, value, depth + 1)
            if classes is None:
                return None
            found.extend(classes)
        return found

    def _elements(self, place: _Place, iterable: ast.expr, depth: int) -> Classes:
        """The classes of what a loop over `iterable` binds: the items of a list, tuple or set written out, of a
        local collection that starts as one and only grows by `.append`/`.add`, or of a parameter annotated as a
        collection (`list[X]`, `Iterable[X]`)."""
        if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
            found: Classes = []
            for item in iterable.elts:
                found = _union(found, self._value(place, item, depth + 1))
            return found
        if not isinstance(iterable, ast.Name) or not place.functions:
            return None
        function = place.functions[0]
        parameter = parameter_named(function, iterable.id)
        if parameter is not None:
            annotation = parameter.annotation
            if annotation is None or _bindings(function, iterable.id) != []:
                return None
            return self._annotated_items(place.path, annotation)
        added = _grown_collection(function, iterable.id)
        if added is None:
            return None
        found = []
        for item in added:
            found = _union(found, self._value(place, item, depth + 1))
        return found

    def _annotated_items(self, path: str, annotation: ast.expr) -> Classes:
        if not isinstance(annotation, ast.Subscript):
            return None
        if _spelt(annotation.value).rsplit(".", 1)[-1].lower() not in _COLLECTIONS:
            return None
        found: Classes = []
        for item in _items(annotation):
            if not (isinstance(item, ast.Constant) and item.value is Ellipsis):
                found = _union(found, self._annotation(path, item))
        return found

    def _own_class(self, place: _Place, name: str) -> Classes:
        """rope's class for `self` (or `cls`) of the method around `place`."""
        try:
            scope = self._module(place.path).get_scope().get_inner_scope_for_line(place.line)
            found = scope.lookup(name).get_object()
        except rope_errors():
            return None
        kind = found.get_type() if name == "self" else found
        return [kind] if _is_class(kind) else None

    def _attribute(self, pyclass: Any, attribute: str) -> Classes:
        """The annotation of `attribute` on the class or a base: in the class body, `self.x: T` in `__init__`, or a
        property's return annotation."""
        for owner in with_ancestors(pyclass):
            node = owner.get_ast() if hasattr(owner, "get_ast") else None
            if not isinstance(node, ast.ClassDef):
                continue
            path = owner.get_module().get_resource().path
            for statement in node.body:
                annotation = _declared_in_class(statement, attribute)
                if annotation is not None:
                    return self._annotation(path, annotation)
        return None

    def _returned(self, pyclass: Any, method: str) -> Classes:
        try:
            found = pyclass.get_attribute(method).get_object()
        except rope_errors():
            return None
        return self._returns_of(found)

    def _returns_of(self, function: Any) -> Classes:
        node = function.get_ast() if hasattr(function, "get_ast") else None
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.returns is None:
            return None
        return self._annotation(function.get_module().get_resource().path, node.returns)

    def _annotation(self, path: str, node: ast.expr) -> Classes:
        if isinstance(node, ast.Constant):
            if node.value is None:
                return []
            if not isinstance(node.value, str):
                return None
            try:
                return self._annotation(path, ast.parse(node.value.strip(), mode="eval").body)
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return _union(self._annotation(path, node.left), self._annotation(path, node.right))
        if isinstance(node, ast.Subscript):
            return self._subscripted(path, node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            found = self._evaluated(path, ast.unparse(node))
            return [found] if _is_class(found) else None
        return None

    def _subscripted(self, path: str, node: ast.Subscript) -> Classes:
        head = _spelt(node.value).rsplit(".", 1)[-1]
        items = _items(node)
        if head in _UNIONS:
            found: Classes = []
            for item in items:
                found = _union(found, self._annotation(path, item))
            return found
        if head in _WRAPPERS:
            return self._annotation(path, items[0])
        if head == "Literal":
            if not all(isinstance(item, ast.Constant) for item in items):
                return None
            return self._union_of(path, {type(item.value).__name__ for item in items if isinstance(item, ast.Constant)})
        return self._annotation(path, node.value)

    def _union_of(self, path: str, names: set[str]) -> Classes:
        found: Classes = []
        for name in sorted(names):
            found = _union(found, [] if name == "NoneType" else self._named(path, name))
        return found

    def _named(self, path: str, name: str) -> Classes:
        found = self._evaluated(path, name)
        return [found] if _is_class(found) else None

    def _evaluated(self, path: str, spelt: str) -> Any:
        from rope.base import evaluate

        try:
            return evaluate.eval_str(self._module(path).get_scope(), spelt).get_object()
        except rope_errors():
            return None

    def _module(self, path: str) -> Any:
        return self.project.get_pymodule(self.project.get_resource(path))

    @staticmethod
    def _each(classes: Classes, step: Callable[[Any], Classes]) -> Classes:
        if classes is None:
            return None
        found: Classes = []
        for pyclass in classes:
            found = _union(found, step(pyclass))
            if found is None:
                return None
        return found


class _Place:
    def __init__(self, path: str, line: int, functions: list[FunctionNode]) -> None:
        self.path, self.line, self.functions = path, line, functions


class _Annotated:
    """A binding whose class an annotation declares (None: `self`/`cls` without one)."""

    def __init__(self, annotation: ast.expr | None) -> None:
        self.annotation = annotation


class _Element:
    """A binding by `for name in iterable`."""

    def __init__(self, iterable: ast.expr) -> None:
        self.iterable = iterable


def _union(left: Classes, right: Classes) -> Classes:
    return None if left is None or right is None else [*left, *right]


def _items(node: ast.Subscript) -> list[ast.expr]:
    return list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]


def _spelt(node: ast.expr) -> str:
    return ast.unparse(node) if isinstance(node, (ast.Name, ast.Attribute)) else ""


def _is_class(found: Any) -> bool:
    from rope.base import pyobjects

    return isinstance(found, pyobjects.AbstractClass)


def _is_module(place: _Place, called: ast.Attribute) -> bool:
    """`called` is `module.function` when its receiver is a name no function around binds (an import, a global)."""
    receiver = called.value
    assert isinstance(receiver, ast.Name)
    return all(_bindings(f, receiver.id) == [] and parameter_named(f, receiver.id) is None for f in place.functions)


def _bindings(function: FunctionNode, name: str) -> list[ast.expr | _Annotated | _Element] | None:
    """What the function's own code assigns to the local `name` (a `for` loop over something binds its items);
    None when it binds it in another way (a tuple, `with`, `global`, a nested parameter) whose value cannot be read."""
    values: list[ast.expr | _Annotated | _Element] = []
    stores = 0
    for node in own_nodes(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
        if isinstance(node, ast.Assign):
            values.extend(node.value for t in node.targets if isinstance(t, ast.Name) and t.id == name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            values.append(_Annotated(node.annotation))
        elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name) and node.target.id == name:
            values.append(_Element(node.iter))
        elif isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            stores += 1
    return values if stores == len(values) else None


def _grown_collection(function: FunctionNode, name: str) -> list[ast.expr] | None:
    """The items of the local collection `name`: it is only ever assigned a list, tuple or set written out, and
    otherwise only grows by `.append(x)`/`.add(x)`, is looped over or tested; else None (it may hold anything)."""
    values = _bindings(function, name)
    if not values or not all(isinstance(v, (ast.List, ast.Tuple, ast.Set)) for v in values):
        return None
    items = [item for value in values if isinstance(value, (ast.List, ast.Tuple, ast.Set)) for item in value.elts]
    allowed: set[int] = set()
    loads = []
    for node in own_nodes(function):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.If, ast.While)):
            allowed.add(id(node.iter if isinstance(node, (ast.For, ast.AsyncFor)) else node.test))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _GROWING:
            if isinstance(node.func.value, ast.Name) and node.func.value.id == name and len(node.args) == 1:
                allowed.add(id(node.func.value))
                items.append(node.args[0])
        elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            loads.append(node)
    return items if all(id(load) in allowed for load in loads) else None


def _declared_in_class(statement: ast.stmt, attribute: str) -> ast.expr | None:
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.annotation if statement.target.id == attribute else None
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if statement.name == attribute and any(_spelt(d).endswith("property") for d in statement.decorator_list):
            return statement.returns
        if statement.name == "__init__":
            return next(
                (
                    node.annotation
                    for node in ast.walk(statement)
                    if isinstance(node, ast.AnnAssign)
                    and isinstance(node.target, ast.Attribute)
                    and node.target.attr == attribute
                    and isinstance(node.target.value, ast.Name)
                    and node.target.value.id == "self"
                ),
                None,
            )
    return None


def with_ancestors(pyclass: Any) -> list[Any]:
    """The class and its base classes, nearest first, each once."""
    found: list[Any] = []
    pending = [pyclass]
    while pending:
        current = pending.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        pending.extend(current.get_superclasses() if hasattr(current, "get_superclasses") else [])
    return found
