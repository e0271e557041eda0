"""`rename_symbol`: a class, function or method and every reference to it, across files."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError
from tools.actions.apply import Proposal, apply_proposal
from tools.actions.identifiers import rename_with_identifiers
from tools.actions.python_rope import rename_python
from tools.actions.targets import check_identifier, find_target
from tools.base import Tool, ToolContext


class RenameArgs(BaseModel):
    symbol: str = Field(description="The class, function or method: `path.py:Class.method`, a dotted name or a name")
    new_name: str = Field(description="Its new name (an identifier)")


def rename_symbol(ctx: ToolContext, args: RenameArgs) -> str:
    check_identifier(args.new_name)
    target = find_target(ctx, args.symbol)
    if target.name == args.new_name:
        raise ToolError(f"{target.qualname} is already called {args.new_name}: nothing to change")
    proposal = Proposal("rename_symbol", args.model_dump(), f"renamed {target.describe()} to {args.new_name}")
    if target.is_python:
        rename_python(ctx, target, args.new_name, proposal)
    else:
        rename_with_identifiers(ctx, target, args.new_name, proposal)
    return apply_proposal(ctx, proposal)


TOOLS: list[Tool[Any]] = [
    Tool(
        name="rename_symbol",
        description=(
            "Rename a class, function or method together with every reference in every file (imports, calls, "
            "subclasses); locals of the same name elsewhere stay. Refuses, changing nothing, when the name is "
            "defined twice or reached by a string (getattr)."
        ),
        args=RenameArgs,
        run=rename_symbol,
    ),
]
