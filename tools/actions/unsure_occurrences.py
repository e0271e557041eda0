"""Which of rope's 'unsure' occurrences (`x.name` where rope does not know what `x` is) belong to the target.

For a method: `super().name` in the body of the method's own class is a base class's method, never the target.
When `x` is a parameter of the function around the occurrence (and not bound again there), its class is the one
its annotation names or, without one, in a test or fixture, the one the fixtures of that name visible there
declare (`fixture_types.py`): the occurrence belongs when that class gets the target (or, for a rename, a method
of its hierarchy) as `name`, and does not when it gets something else. Fixtures that disagree, a class nothing
declares, or a name the file (or a conftest.py) parametrizes leave the occurrence to the classes the code declares
for the receiver (`receiver_types.py`: `self._fixturedef`, a loop variable over a list of known items), judged the
same way, and what is still unknown to the last rule: it belongs when only one definition in the repository has
the name and Python's file objects and paths have no method of that name (`x.seek(0)` on an unknown `x` is a
file's).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from core.python_names import FILE_AND_PATH_METHODS
from tools.actions.fixture_types import (
    FunctionNode,
    SpeltClass,
    declared,
    fixture_classes,
    parametrized_in,
    receiver_of,
    visible_from,
)
from tools.actions.receiver_types import ReceiverClasses, with_ancestors
from tools.actions.source_tree import PythonTexts

_SUPER = re.compile(r"super\(\s*(?:\w+\s*,\s*\w+\s*)?\)")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def unique_name(texts: PythonTexts, name: str) -> bool:
    """Only one definition has the name (`typing.overload` stubs are not definitions), and no file or path method."""
    pattern = re.compile(rf"^([ \t]*)(?:async\s+def|def|class)\s+{re.escape(name)}\b", re.MULTILINE)
    count = 0
    for path in texts.mentioning(name):
        text = texts.texts[path]
        count += sum(1 for match in pattern.finditer(text) if not _overload_stub(text, match.start(), match[1]))
    return count == 1 and name not in FILE_AND_PATH_METHODS


def _overload_stub(text: str, start: int, indent: str) -> bool:
    """The definition starting at `start` has an `@overload` (or `@typing.overload`) among its decorators."""
    lines = text[:start].splitlines()
    while lines and lines[-1].startswith(indent + "@"):
        if re.fullmatch(r"@(?:\w+\.)*overload\s*", lines.pop()[len(indent) :]):
            return True
    return False


def _owner_class(owner: Any) -> tuple[str, ast.ClassDef] | None:
    """Where the class defining the target method is: its file and its `ast` node (None: not a method)."""
    if not hasattr(owner, "get_superclasses"):
        return None
    resource = owner.get_module().get_resource()
    node = owner.get_ast()
    return (resource.path, node) if resource is not None and isinstance(node, ast.ClassDef) else None


def _inside(occurrence: Any, path: str, node: ast.ClassDef) -> bool:
    """The occurrence is in the body of the class (where `super().name` is a base class's)."""
    line: int = occurrence.lineno
    return bool(occurrence.resource.path == path) and node.lineno <= line <= (node.end_lineno or 0)


class _Named:
    """What rope's occurrence filters ask of an occurrence: the name it resolves to."""

    def __init__(self, pyname: Any) -> None:
        self.pyname = pyname

    def get_pyname(self) -> Any:
        return self.pyname


class UnsureOccurrences:
    """The `unsure` predicate of rope's occurrence finder for one target."""

    def __init__(self, project: Any, texts: PythonTexts, pyname: Any, name: str, in_hierarchy: bool) -> None:
        from rope.refactor.occurrences import InHierarchyFilter, PyNameFilter

        self.project, self.texts, self.name = project, texts, name
        self.unique = unique_name(texts, name)
        self.owner: Any = getattr(pyname.get_object(), "parent", None)
        self.owner_class = _owner_class(self.owner)
        self.receivers = ReceiverClasses(project)
        self.filters: list[Callable[[Any], bool | None]] = [PyNameFilter(pyname)]
        if in_hierarchy:
            self.filters.append(InHierarchyFilter(pyname))
        self._fixtures: dict[str, tuple[list[SpeltClass], set[str]]] = {}
        self._verdicts: dict[SpeltClass, bool | None] = {}

    def __call__(self, occurrence: Any) -> bool:
        if not self.owner_class:
            return self.unique
        source = occurrence.tools.source_code
        receiver = receiver_of(source, occurrence.get_primary_range()[0], occurrence.offset)
        if receiver is not None and _SUPER.fullmatch(receiver) and _inside(occurrence, *self.owner_class):
            return False
        verdict = None
        if receiver is not None and _IDENTIFIER.fullmatch(receiver):
            verdict = self._parameter_verdict(occurrence, receiver)
        if verdict is None and receiver is not None:
            verdict = self._declared_verdict(occurrence, receiver)
        return self.unique if verdict is None else verdict

    def _declared_verdict(self, occurrence: Any, receiver: str) -> bool | None:
        """By the classes the code declares for the receiver (`receiver_types.py`): True when one gets the target,
        False when none can, None when they are unknown or one is a base of the target's class."""
        try:
            expression = ast.parse(receiver.strip(), mode="eval").body
        except SyntaxError:
            return None
        path: str = occurrence.resource.path
        classes = self.receivers.of(path, occurrence.lineno, _functions_around(occurrence), expression)
        if not classes:
            return None
        if any(self._gets_target(pyclass) for pyclass in classes):
            return True
        return None if any(self._may_hold_target(pyclass) for pyclass in classes) else False

    def cannot_hold_target(self, path: str, line: int, expression: ast.expr, functions: list[FunctionNode]) -> bool:
        """The object `expression` (at `line` of `path`, inside `functions`) is declared of classes none of which
        can have the target as its attribute `name` (a getattr-style use of it cannot reach the target)."""
        classes = self.receivers.of(path, line, functions, expression)
        return classes is not None and not any(self._may_hold_target(pyclass) for pyclass in classes)

    def _parameter_verdict(self, occurrence: Any, receiver: str) -> bool | None:
        """Whether the class declared for the parameter `receiver` gets the target; None when nothing declares
        one class."""
        annotated = re.search(rf"\b{re.escape(receiver)}\s*:", occurrence.tools.source_code) is not None
        if not annotated and not self._fixtures_named(receiver)[0]:
            return None
        found = declared(_functions_around(occurrence), receiver)
        if found is None:
            return None
        path = occurrence.resource.path
        if found.by_fixture:
            return self._fixture_verdict(path, receiver)
        return self._class_gets_target(SpeltClass(path, found.expression))

    def _fixtures_named(self, name: str) -> tuple[list[SpeltClass], set[str]]:
        """The fixtures of the name, and the files that parametrize it."""
        if name not in self._fixtures:
            self._fixtures[name] = fixture_classes(self.texts, name), parametrized_in(self.texts, name)
        return self._fixtures[name]

    def _fixture_verdict(self, path: str, receiver: str) -> bool | None:
        """True when every fixture of the name visible from `path` has a class that gets the target, False when
        every one has a class that does not, else None."""
        fixtures, parametrized = self._fixtures_named(receiver)
        visible = [fixture for fixture in fixtures if visible_from(fixture, path)]
        if not visible or path in parametrized or any(p.endswith("conftest.py") for p in parametrized):
            return None
        verdicts = {self._class_gets_target(fixture) for fixture in visible}
        return verdicts.pop() if len(verdicts) == 1 else None

    def _class_gets_target(self, spelt: SpeltClass) -> bool | None:
        """Whether the class gets the target as `name`, read in its module's scope (None: not a class there)."""
        if spelt not in self._verdicts:
            self._verdicts[spelt] = self._resolve(spelt)
        return self._verdicts[spelt]

    def _resolve(self, spelt: SpeltClass) -> bool | None:
        from rope.base import evaluate, exceptions, pyobjects

        if spelt.expression is None:
            return None
        try:
            pymodule = self.project.get_pymodule(self.project.get_resource(spelt.path))
            pyclass = evaluate.eval_str(pymodule.get_scope(), spelt.expression).get_object()
        except (exceptions.RopeError, SyntaxError, AttributeError):
            return None
        if not isinstance(pyclass, pyobjects.AbstractClass):
            return None
        return self._gets_target(pyclass)

    def _gets_target(self, pyclass: Any) -> bool:
        from rope.base import exceptions

        try:
            attribute = pyclass.get_attribute(self.name)
        except exceptions.AttributeNotFoundError:
            return False
        return any(check(_Named(attribute)) for check in self.filters)

    def _may_hold_target(self, pyclass: Any) -> bool:
        """An object declared of `pyclass` may have the target as its attribute `name`: the class gets the target,
        or it is the target's class or a base of it (the object may be an instance of the target's class)."""
        if self.owner is not None and any(pyclass is ancestor for ancestor in with_ancestors(self.owner)):
            return True
        return self._gets_target(pyclass)


def _functions_around(occurrence: Any) -> list[FunctionNode]:
    """The functions whose body holds the occurrence, innermost first, as rope's scopes hold them."""
    scope = occurrence.tools.pymodule.get_scope().get_inner_scope_for_line(occurrence.lineno)
    found = []
    while scope is not None:
        node = scope.pyobject.get_ast() if scope.get_kind() == "Function" else None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(node)
        scope = scope.parent
    return found
