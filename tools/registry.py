"""Every tool by name. Tool modules expose `TOOLS: list[Tool]`; roles pick theirs by name."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from tools.base import Tool

TOOL_MODULES = (
    "tools.files",
    "tools.edit",
    "tools.shell",
    "tools.graph",
    "tools.actions.rename",
    "tools.actions.signature",
    "tools.actions.extract",
    "tools.actions.imports",
)


@cache
def all_tools() -> dict[str, Tool[Any]]:
    found: dict[str, Tool[Any]] = {}
    for module_name in TOOL_MODULES:
        for tool in importlib.import_module(module_name).TOOLS:
            if tool.name in found:
                raise ValueError(f"tool {tool.name!r} defined twice")
            found[tool.name] = tool
    return found


def get_tools(names: list[str] | tuple[str, ...]) -> list[Tool[Any]]:
    """The named tools, in order; an unknown name is a programming error in a role definition."""
    available = all_tools()
    missing = [name for name in names if name not in available]
    if missing:
        raise KeyError(f"unknown tools {missing}; known: {sorted(available)}")
    return [available[name] for name in names]
