"""`change_signature`: add, remove, rename or reorder a Python function's parameters and update every call."""

from __future__ import annotations

import ast
from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError
from tools.actions.apply import Proposal, apply_proposal
from tools.actions.python_rope import change_calls_python, rename_parameter_python, signature_changer
from tools.actions.source_tree import host_root
from tools.actions.targets import SCOPE_NODES, Target, check_identifier, find_target
from tools.base import Tool, ToolContext


class NewParameter(BaseModel):
    name: str = Field(description="The parameter's name")
    value: str | None = Field(None, description="Expression every existing call passes for it, e.g. 'None' or '0'")
    default: str | None = Field(None, description="Its default in the definition; none makes it required")
    position: int | None = Field(
        None, ge=0, description="Index among the parameters (self counts); default: after the last positional one"
    )


class ChangeSignatureArgs(BaseModel):
    function: str = Field(description="The function or method: `path.py:Class.method`, a dotted name or a name")
    add: list[NewParameter] = Field(default_factory=list, description="Parameters to add")
    remove: list[str] = Field(default_factory=list, description="Names of parameters to remove")
    rename: dict[str, str] = Field(default_factory=dict, description="One {old: new} parameter rename, on its own")
    order: list[str] = Field(default_factory=list, description="All parameter names in their new order")


def _function_node(source: str, target: Target) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    body: list[ast.stmt] = ast.parse(source).body
    node: ast.stmt | None = None
    for part in target.qualname.split("."):
        node = next((n for n in body if isinstance(n, SCOPE_NODES) and n.name == part), None)
        if node is None:
            return None
        body = node.body
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _changers(args: ChangeSignatureArgs, names: list[str], defaults: list[bool], used: set[str]) -> list[Any]:
    from rope.refactor.change_signature import ArgumentAdder, ArgumentRemover, ArgumentReorderer

    changers: list[Any] = []
    for name in args.remove:
        if name not in names:
            raise ToolError(f"no parameter {name!r} to remove; the parameters are {', '.join(names)}")
        if name in used:
            raise ToolError(f"the function's body still uses {name}: change the body first, then remove it")
        index = names.index(name)
        changers.append(ArgumentRemover(index))
        del names[index], defaults[index]
    for parameter in args.add:
        check_identifier(parameter.name, "parameter")
        if parameter.name in names:
            raise ToolError(f"the function already has a parameter {parameter.name}")
        positional = len([name for name in names if not name.startswith("*")])
        index = positional if parameter.position is None else min(parameter.position, positional)
        if parameter.default is None and any(defaults[:index]):
            raise ToolError(f"{parameter.name} would follow a parameter with a default: give it a default too")
        if parameter.default is None and parameter.value is None:
            raise ToolError(f"give {parameter.name} a value for the existing calls, or a default")
        changers.append(ArgumentAdder(index, parameter.name, parameter.default, parameter.value))
        names.insert(index, parameter.name)
        defaults.insert(index, parameter.default is not None)
    if args.order:
        if sorted(args.order) != sorted(names):
            raise ToolError(f"order must list every parameter once: {', '.join(names)}")
        new_order = [names.index(name) for name in args.order]
        reordered = [defaults[index] for index in new_order]
        if any(not has and any(reordered[:i]) for i, has in enumerate(reordered)):
            raise ToolError("that order puts a parameter without default after one with a default")
        changers.append(ArgumentReorderer(new_order))
    return changers


def change_signature(ctx: ToolContext, args: ChangeSignatureArgs) -> str:
    target = find_target(ctx, args.function)
    if not target.is_python or target.kind == "class":
        raise ToolError(
            "change_signature works on Python functions and methods only; nothing was changed",
            hint="edit the definition and each caller (graph_callers lists them) with search_replace",
        )
    wanted = [bool(args.add or args.remove or args.order), bool(args.rename)]
    if wanted == [False, False]:
        raise ToolError("say what to change: add, remove, rename or order")
    if all(wanted) or len(args.rename) > 1:
        raise ToolError("rename one parameter per call, on its own; add, remove and order can go together")
    proposal = Proposal("change_signature", args.model_dump(), f"changed the signature of {target.describe()}")
    if args.rename:
        ((old, new),) = args.rename.items()
        check_identifier(new, "parameter")
        rename_parameter_python(ctx, target, old, new, proposal)
        return apply_proposal(ctx, proposal)
    source = (host_root(ctx) / target.path).read_text(encoding="utf-8")
    function = _function_node(source, target)
    if function is None:
        raise ToolError(f"cannot find the definition of {target.qualname} in {target.path}")
    if function.args.kwonlyargs:
        raise ToolError(
            f"{target.qualname} has keyword-only parameters, which the signature refactoring would lose; "
            "nothing was changed",
            hint="edit the definition and its callers (graph_callers) with search_replace",
        )
    used = {node.id for node in ast.walk(function) if isinstance(node, ast.Name)}
    changer, names = signature_changer(ctx, target)
    defaults = [default is not None for _, default in changer.get_args()]
    change_calls_python(changer, _changers(args, list(names), defaults, used), proposal)
    return apply_proposal(ctx, proposal)


TOOLS: list[Tool[Any]] = [
    Tool(
        name="change_signature",
        description=(
            "Python: add, remove or reorder a function's parameters, or rename one, and update every call site "
            "(positional and keyword calls) in every file; a new parameter gets `value` at existing calls."
        ),
        args=ChangeSignatureArgs,
        run=change_signature,
    ),
]
