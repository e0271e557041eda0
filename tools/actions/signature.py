"""`change_signature`: add, remove, rename or reorder a Python function's parameters and update every call."""

from __future__ import annotations

import ast
from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError
from tools.actions.apply import Proposal, apply_proposal
from tools.actions.parameters import NewParameterSpec
from tools.actions.python_rope import rename_parameter_python
from tools.actions.signature_calls import signature_proposal
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
    order: list[str] = Field(
        default_factory=list, description="Parameter names in their new order (keyword-only ones may be left out)"
    )


def _function_node(source: str, target: Target) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    body: list[ast.stmt] = ast.parse(source).body
    node: ast.stmt | None = None
    for part in target.qualname.split("."):
        node = next((n for n in body if isinstance(n, SCOPE_NODES) and n.name == part), None)
        if node is None:
            return None
        body = node.body
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


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
    specs = [NewParameterSpec(p.name, p.value, p.default, p.position) for p in args.add]
    return apply_proposal(ctx, signature_proposal(ctx, target, function, (specs, args.remove, args.order), proposal))


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
