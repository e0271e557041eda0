"""A Python function's parameters as read from its definition, and the new parameter list a signature change asks
for (checked: defaults in order, no parameter the body still uses removed, `self` left first)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from core.errors import ToolError
from tools.actions.argument_lists import ItemList, Offsets, item_list, respelt
from tools.actions.targets import check_identifier

POSITIONAL_KINDS = ("positional_only", "positional")
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    """positional_only, positional, var_positional (*args), keyword_only or var_keyword (**kwargs)."""
    text: str
    """How the definition spells it: `name: int = 0`, `*args`."""
    has_default: bool
    value: str | None = None
    """For a new parameter: what every existing call passes for it (None: calls leave it to its default)."""

    @property
    def positional(self) -> bool:
        return self.kind in POSITIONAL_KINDS


@dataclass(frozen=True)
class Definition:
    """A function's parameter list in its source file."""

    parameters: list[Parameter]
    items: ItemList
    bound_first: bool
    """A method called on an instance or class (not a staticmethod): its first parameter is never passed
    explicitly in `obj.method(...)`."""
    is_static: bool
    is_classmethod: bool


def _decorated(node: FunctionNode, name: str) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id == name) or (isinstance(d, ast.Attribute) and d.attr == name)
        for d in node.decorator_list
    )


def read_definition(source: str, node: FunctionNode, in_class: bool) -> Definition:
    offsets = Offsets(source)
    name_at = source.index(node.name, offsets.at(node.lineno, node.col_offset))
    items = item_list(source, source.index("(", name_at + len(node.name)))
    arguments = node.args
    kinds: list[tuple[ast.arg, str, bool]] = []
    positional = [*arguments.posonlyargs, *arguments.args]
    first_default = len(positional) - len(arguments.defaults)
    for index, argument in enumerate(positional):
        kind = "positional_only" if index < len(arguments.posonlyargs) else "positional"
        kinds.append((argument, kind, index >= first_default))
    if arguments.vararg:
        kinds.append((arguments.vararg, "var_positional", False))
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        kinds.append((argument, "keyword_only", default is not None))
    if arguments.kwarg:
        kinds.append((arguments.kwarg, "var_keyword", False))
    texts = [items.text(source, i) for i in range(len(items.items))]
    spelt = [text for text in texts if text not in ("/", "*")]
    if len(spelt) != len(kinds):
        raise ToolError(f"cannot read the parameter list of {node.name}; nothing was changed")
    parameters = [
        Parameter(argument.arg, kind, text, has_default)
        for (argument, kind, has_default), text in zip(kinds, spelt, strict=True)
    ]
    is_static = _decorated(node, "staticmethod")
    is_classmethod = _decorated(node, "classmethod")
    if in_class and not is_static and not positional:
        raise ToolError(
            f"{node.name} takes its receiver through *{arguments.vararg.arg if arguments.vararg else 'args'}, so "
            "where a new parameter lands is unclear; nothing was changed",
            hint="name the receiver (self) in the definition first",
        )
    return Definition(parameters, items, in_class and not is_static and bool(positional), is_static, is_classmethod)


def definition_text(source: str, definition: Definition, parameters: list[Parameter]) -> str:
    """The new inside of the definition's parentheses, with `/` and `*` markers where the kinds need them."""
    texts: list[str] = []
    for index, parameter in enumerate(parameters):
        following = parameters[index + 1] if index + 1 < len(parameters) else None
        first_keyword_only = parameter.kind == "keyword_only" and (
            index == 0 or parameters[index - 1].kind != "keyword_only"
        )
        if first_keyword_only and not any(p.kind == "var_positional" for p in parameters[:index]):
            texts.append("*")
        texts.append(parameter.text)
        if parameter.kind == "positional_only" and (following is None or following.kind != "positional_only"):
            texts.append("/")
    return respelt(source, definition.items, texts)


@dataclass(frozen=True)
class NewParameterSpec:
    name: str
    value: str | None
    default: str | None
    position: int | None


def new_parameters(
    definition: Definition,
    add: list[NewParameterSpec],
    remove: list[str],
    order: list[str],
    used: set[str],
) -> list[Parameter]:
    """The parameter list after removing, adding and reordering, or a ToolError saying what is wrong."""
    parameters = list(definition.parameters)
    named = [p.name for p in parameters if p.kind not in ("var_positional", "var_keyword")]
    fixed = 1 if definition.bound_first else 0
    for name in remove:
        if name not in named:
            raise ToolError(f"no parameter {name!r} to remove; the parameters are {', '.join(named)}")
        if fixed and name == parameters[0].name:
            raise ToolError(f"{name} is the method's own receiver; it cannot be removed")
        if name in used:
            raise ToolError(f"the function's body still uses {name}: change the body first, then remove it")
        parameters = [p for p in parameters if p.name != name]
    for spec in add:
        parameters = _with_added(parameters, spec, fixed)
    if order:
        parameters = _reordered(parameters, order, fixed)
    _check_defaults(parameters)
    return parameters


def _with_added(parameters: list[Parameter], spec: NewParameterSpec, fixed: int) -> list[Parameter]:
    check_identifier(spec.name, "parameter")
    if any(p.name == spec.name for p in parameters):
        raise ToolError(f"the function already has a parameter {spec.name}")
    if spec.default is None and spec.value is None:
        raise ToolError(f"give {spec.name} a value for the existing calls, or a default")
    text = spec.name if spec.default is None else f"{spec.name}={spec.default}"
    if spec.position is None and any(p.kind == "var_positional" for p in parameters):
        added = Parameter(spec.name, "keyword_only", text, spec.default is not None, spec.value)
        star_star = [p for p in parameters if p.kind == "var_keyword"]
        return [*[p for p in parameters if p.kind != "var_keyword"], added, *star_star]
    positional = [p for p in parameters if p.positional]
    index = len(positional) if spec.position is None else max(fixed, min(spec.position, len(positional)))
    if spec.default is None and any(p.has_default for p in positional[:index]):
        raise ToolError(f"{spec.name} would follow a parameter with a default: give it a default too")
    only = sum(p.kind == "positional_only" for p in positional)
    kind = "positional_only" if index < only else "positional"
    added = Parameter(spec.name, kind, text, spec.default is not None, spec.value)
    return [*positional[:index], added, *positional[index:], *[p for p in parameters if not p.positional]]


def _reordered(parameters: list[Parameter], order: list[str], fixed: int) -> list[Parameter]:
    by_name = {p.name: p for p in parameters}
    positional = [p.name for p in parameters if p.positional]
    keyword_only = [p.name for p in parameters if p.kind == "keyword_only"]
    listed = order if len(order) > len(positional) else [*order, *keyword_only]
    if sorted(listed) != sorted(positional + keyword_only) or len(set(listed)) != len(listed):
        raise ToolError(f"order must list every parameter once: {', '.join(positional + keyword_only)}")
    if set(listed[: len(positional)]) != set(positional):
        raise ToolError("order must keep the keyword-only parameters after the positional ones")
    only = [p.name for p in parameters if p.kind == "positional_only"]
    if set(listed[: len(only)]) != set(only):
        raise ToolError(f"order must keep the positional-only parameters ({', '.join(only)}) first")
    if fixed and listed[0] != positional[0]:
        raise ToolError(f"{positional[0]} is the method's own receiver; it stays first")
    moved = [by_name[name] for name in listed]
    star = [p for p in parameters if p.kind == "var_positional"]
    star_star = [p for p in parameters if p.kind == "var_keyword"]
    return [*moved[: len(positional)], *star, *moved[len(positional) :], *star_star]


def _check_defaults(parameters: list[Parameter]) -> None:
    positional = [p for p in parameters if p.positional]
    for index, parameter in enumerate(positional):
        if not parameter.has_default and any(p.has_default for p in positional[:index]):
            raise ToolError(f"that puts {parameter.name}, which has no default, after a parameter with a default")
