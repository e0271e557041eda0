"""`extract_function`: lines of a Python function or module become a new function, called where they were."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError
from tools.actions.apply import Proposal, apply_proposal
from tools.actions.python_rope import extract_python
from tools.actions.targets import check_identifier
from tools.base import Tool, ToolContext
from workspaces.paths import normalize_relative


class ExtractArgs(BaseModel):
    path: str = Field(description="Python file, relative to the repository root")
    start_line: int = Field(ge=1, description="First line to extract (whole statements)")
    end_line: int = Field(ge=1, description="Last line to extract")
    name: str = Field(description="Name of the new function (a method when the lines are in one)")


def extract_function(ctx: ToolContext, args: ExtractArgs) -> str:
    check_identifier(args.name, "name")
    path = normalize_relative(args.path)
    if not path.endswith(".py"):
        raise ToolError(
            "extract_function works on Python files only; nothing was changed",
            hint="move the lines with search_replace and call the new function where they were",
        )
    if args.end_line < args.start_line:
        raise ToolError(f"end_line {args.end_line} is before start_line {args.start_line}")
    summary = f"extracted lines {args.start_line}-{args.end_line} of {path} into {args.name}"
    proposal = Proposal("extract_function", args.model_dump(), summary)
    extract_python(ctx, path, args.start_line, args.end_line, args.name, proposal)
    return apply_proposal(ctx, proposal)


TOOLS: list[Tool[Any]] = [
    Tool(
        name="extract_function",
        description=(
            "Python: move whole statements (start_line..end_line) into a new function or method; its parameters "
            "and return values are inferred and the lines are replaced by a call."
        ),
        args=ExtractArgs,
        run=extract_function,
    ),
]
