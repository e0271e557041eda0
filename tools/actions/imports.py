"""`add_import`: import a name where the code graph says it is defined, in the file's own import style."""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, Field

from core.errors import ToolError
from tools.actions.apply import Proposal, apply_proposal
from tools.actions.import_styles import add_java_import, add_js_import, add_python_import
from tools.actions.source_tree import host_root
from tools.actions.targets import Target, check_identifier, find_target
from tools.base import Tool, ToolContext
from workspaces.paths import normalize_relative

JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx")


class AddImportArgs(BaseModel):
    path: str = Field(description="The file that needs the name, relative to the repository root")
    name: str = Field(description="The class or function to import, e.g. Session (or path.py:Session if ambiguous)")


def python_module(root: Path, path: str) -> list[str]:
    """A Python file's dotted module name: its folders up to the first one without `__init__.py`."""
    parts = [PurePosixPath(path).stem]
    folder = (root / path).parent
    while folder != root and (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return [] if parts == ["__init__"] else [p for p in parts if p != "__init__"]


def _module_level(ctx: ToolContext, name: str) -> Target:
    target = find_target(ctx, name)
    if "." in target.qualname:
        raise ToolError(f"{target.qualname} is a member of a class: import the class instead")
    return target


def _python_source_line(ctx: ToolContext, path: str, target: Target, text: str) -> str:
    root = host_root(ctx)
    module = python_module(root, target.path)
    if not module:
        raise ToolError(f"{target.path} is not importable as a module")
    tree = ast.parse(text)
    uses_relative = any(isinstance(n, ast.ImportFrom) and n.level > 0 for n in tree.body)
    here = python_module(root, path)[:-1] if not path.endswith("__init__.py") else python_module(root, path)
    shared = 0
    while shared < min(len(here), len(module) - 1) and here[shared] == module[shared]:
        shared += 1
    if uses_relative and shared:
        return "." * (len(here) - shared + 1) + ".".join(module[shared:])
    return ".".join(module)


def add_import(ctx: ToolContext, args: AddImportArgs) -> str:
    path = normalize_relative(args.path)
    bare = args.name.rpartition(":")[2]
    check_identifier(bare, "name")
    target = _module_level(ctx, args.name)
    if target.path == path:
        raise ToolError(f"{bare} is defined in {path} itself: no import needed")
    text = (host_root(ctx) / path).read_text(encoding="utf-8") if (host_root(ctx) / path).is_file() else None
    if text is None:
        raise ToolError(f"no such file: {path}")
    if path.endswith(".py"):
        after = add_python_import(text, _python_source_line(ctx, path, target, text), bare)
    elif path.endswith(JS_SUFFIXES):
        after = add_js_import(text, path, target.path, bare)
    elif path.endswith(".java"):
        after = add_java_import(text, (host_root(ctx) / target.path).read_text(encoding="utf-8"), bare)
    else:
        raise ToolError(
            "add_import works in Python, JavaScript/TypeScript and Java files (Go imports packages, not names)",
            hint="add the import with search_replace",
        )
    proposal = Proposal("add_import", args.model_dump(), f"imported {bare} from {target.path} into {path}")
    proposal.change(path, text, after)
    return apply_proposal(ctx, proposal)


TOOLS: list[Tool[Any]] = [
    Tool(
        name="add_import",
        description=(
            "Import a class or function into a file from where the code graph finds it defined, in the file's "
            "existing import style and order (Python, JavaScript/TypeScript, Java)."
        ),
        args=AddImportArgs,
        run=add_import,
    ),
]
