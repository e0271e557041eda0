"""The arguments of a `setup.py`'s `setup(...)` call, read from its syntax tree: the file is parsed, never run.

An argument is known when it is a literal, a name bound to one anywhere in the file, or a sum, list(), tuple()
or dict() of those; anything else (a function call, a file read) is reported as unreadable.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

READ_ARGUMENTS = (
    "name",
    "python_requires",
    "install_requires",
    "extras_require",
    "tests_require",
    "setup_requires",
    "classifiers",
)
UNKNOWN = object()
_MAX_DEPTH = 20


@dataclass
class SetupCall:
    """What a setup.py passes to setup(): the readable arguments, the unreadable names, what hints at builds."""

    arguments: dict[str, Any] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    compiles: bool = False
    uses_scm: bool = False


class _Evaluator:
    def __init__(self, tree: ast.Module) -> None:
        self.bindings: dict[str, ast.expr] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.bindings[target.id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                self.bindings[node.target.id] = node.value

    def value(self, node: ast.expr, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items = [self.value(item, depth + 1) for item in node.elts]
            return UNKNOWN if any(item is UNKNOWN for item in items) else items
        if isinstance(node, ast.Dict):
            return self._dict(node.keys, node.values, depth)
        if isinstance(node, ast.Name):
            bound = self.bindings.get(node.id)
            return UNKNOWN if bound is None else self.value(bound, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
            if type(left) is type(right) and isinstance(left, list | str):
                return left + right
            return UNKNOWN
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node, depth)
        return UNKNOWN

    def _dict(self, keys: list[ast.expr | None], values: list[ast.expr], depth: int) -> Any:
        out: dict[Any, Any] = {}
        for key, value in zip(keys, values, strict=True):
            evaluated = self.value(value, depth + 1)
            if key is None:
                if not isinstance(evaluated, dict):
                    return UNKNOWN
                out.update(evaluated)
                continue
            name = self.value(key, depth + 1)
            if name is UNKNOWN or evaluated is UNKNOWN:
                return UNKNOWN
            out[name] = evaluated
        return out

    def _call(self, node: ast.Call, depth: int) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name in ("list", "tuple", "sorted") and len(node.args) == 1 and not node.keywords:
            inner = self.value(node.args[0], depth + 1)
            return list(inner) if isinstance(inner, list | tuple) else UNKNOWN
        if name == "dict" and not node.args:
            keys: list[ast.expr | None] = [ast.Constant(k.arg) if k.arg else None for k in node.keywords]
            return self._dict(keys, [k.value for k in node.keywords], depth)
        return UNKNOWN


def _is_setup(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def read_setup_py(text: str) -> SetupCall:
    """The arguments of the last `setup(...)` call in `text`; a file that does not parse reads as unreadable."""
    found = SetupCall()
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        found.unreadable.append(f"setup.py does not parse under Python 3 ({exc.msg}, line {exc.lineno})")
        return found
    evaluator = _Evaluator(tree)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    found.compiles = any(
        isinstance(call.func, ast.Name | ast.Attribute)
        and (call.func.id if isinstance(call.func, ast.Name) else call.func.attr) in ("Extension", "cythonize")
        for call in calls
    )
    setups = [call for call in calls if _is_setup(call)]
    if not setups:
        found.unreadable.append("setup.py calls no setup()")
        return found
    arguments: dict[str, ast.expr] = {}
    for keyword in setups[-1].keywords:
        if keyword.arg is not None:
            arguments[keyword.arg] = keyword.value
            continue
        spread = evaluator.value(keyword.value)
        if isinstance(spread, dict):
            arguments.update({str(k): ast.Constant(v) for k, v in spread.items()})
        else:
            found.unreadable.append(f"setup(**{ast.unparse(keyword.value)})")
    found.compiles = found.compiles or "ext_modules" in arguments
    found.uses_scm = "use_scm_version" in arguments
    for name in READ_ARGUMENTS:
        if name not in arguments:
            continue
        value = evaluator.value(arguments[name])
        if value is UNKNOWN:
            found.unreadable.append(f"setup({name}={ast.unparse(arguments[name])[:60]})")
        else:
            found.arguments[name] = value
    return found
