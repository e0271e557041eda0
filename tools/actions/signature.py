"""`change_signature`: add, remove, rename or reorder a Python function's parameters and update every call."""

from __future__ import annotations

import ast
from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError
from tools.actions.apply import Proposal, apply_proposal
from tools.actions.parameters import FunctionNode, NewParameterSpec
from tools.actions.python_rope import rename_parameter_python
from tools.actions.signature_calls import signature_proposal
from tools.actions.source_tree import host_root
from tools.actions.targets import SCOPE_NODES, Target, check_identifier, find_target, is_overload
from tools.base import Tool, ToolContext


class NewParameter(BaseModel):
    name: str = Field(description="The parameter's name")
    value: str | None = Field(None, description="Expression every existing call passes for it, e.g. 'None' or '0'")
    default: str | None = Field(None, description="Its default in the definition; none makes it required")
    position: int | None = Field(
        None,
        ge=0,
        description=(
            "Index among the parameters (self counts); default: after the last positional one, or keyword-only "
            "when the function takes *args"
        ),
    )


class ChangeSignatureArgs(BaseModel):
    function: str = Field(description="The function or method: `path.py:Class.method`, a dotted name or a name")
    add: list[NewParameter] = Field(default_factory=list, description="Parameters to add")
    remove: list[str] = Field(default_factory=list, description="Names of parameters to remove")
    rename: dict[str, str] = Field(default_factory=dict, description="One {old: new} parameter rename, on its own")
    order: list[str] = Field(
        default_factory=list, description="Parameter names in their new order (keyword-only ones may be left out)"
    )


def _function_nodes(source: str, target: Target) -> tuple[FunctionNode | None, list[FunctionNode]]:
    """The target's definition (the one spanning its line when the name is bound twice, as a property and its
    setter) and its `typing.overload` stubs."""
    body: list[ast.stmt] = ast.parse(source).body
    *scopes, name = target.qualname.split(".")
    for part in scopes:
        scope = next((n for n in body if isinstance(n, SCOPE_NODES) and n.name == part), None)
        if scope is None:
            return None, []
        body = scope.body
    same = [n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
    stubs = [n for n in same if is_overload(n)]
    defined = [n for n in same if not is_overload(n)]
    spanning = [n for n in defined if n.lineno <= target.start_line <= (n.end_lineno or n.lineno)]
    chosen = spanning[0] if spanning else defined[-1] if defined else None
    return chosen, stubs


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
    function, overloads = _function_nodes(source, target)
    if function is None:
        raise ToolError(f"cannot find the definition of {target.qualname} in {target.path}")
    specs = [NewParameterSpec(p.name, p.value, p.default, p.position) for p in args.add]
    change = (specs, args.remove, args.order)
    return apply_proposal(ctx, signature_proposal(ctx, target, function, change, proposal, overloads))


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
