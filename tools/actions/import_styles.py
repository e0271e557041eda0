"""Inserting one import into a file's text the way the file already writes and orders its imports."""

from __future__ import annotations

import ast
import posixpath
import re

from core.errors import ToolError


def _is_sorted(keys: list[str]) -> bool:
    return keys == sorted(keys)


def _names_of(node: ast.ImportFrom) -> list[str]:
    return [f"{a.name} as {a.asname}" if a.asname else a.name for a in node.names]


def _module_key(node: ast.stmt) -> str:
    if isinstance(node, ast.ImportFrom):
        return "." * node.level + (node.module or "")
    assert isinstance(node, ast.Import)
    return node.names[0].name


def _top_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif found and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break
    return found


def add_python_import(text: str, module: str, name: str) -> str:
    """`from module import name`: joined to an existing import from that module, else a new line placed in sorted
    order among the imports of the same package (or after the last import)."""
    tree = ast.parse(text)
    bound = {
        alias.asname or alias.name.split(".")[0]
        for n in tree.body
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for alias in n.names
    }
    if name in bound:
        raise ToolError(f"{name} is already imported here: nothing to change")
    lines = text.splitlines(keepends=True)
    imports = _top_imports(tree)
    level = len(module) - len(module.lstrip("."))
    for node in imports:
        if isinstance(node, ast.ImportFrom) and node.level == level and (node.module or "") == module.lstrip("."):
            names = _names_of(node)
            merged = sorted([*names, name]) if _is_sorted(names) else [*names, name]
            first, last = node.lineno - 1, node.end_lineno or node.lineno
            if last - first == 1:
                statement = f"from {module} import {', '.join(merged)}\n"
            else:
                indent = re.match(r"\s*", lines[first + 1]).group(0)  # type: ignore[union-attr]
                statement = f"from {module} import (\n" + "".join(f"{indent}{n},\n" for n in merged) + ")\n"
            return "".join(lines[:first]) + statement + "".join(lines[last:])
    statement = f"from {module} import {name}\n"
    root = module.lstrip(".").split(".")[0]
    family = [
        n
        for n in imports
        if _module_key(n).lstrip(".").split(".")[0] == root or (level and _module_key(n).startswith("."))
    ]
    if family:
        froms = [n for n in family if isinstance(n, ast.ImportFrom)]
        later = [n for n in froms if _module_key(n) > module] if _is_sorted([_module_key(n) for n in froms]) else []
        at = later[0].lineno - 1 if later else (family[-1].end_lineno or family[-1].lineno)
        return "".join(lines[:at]) + statement + "".join(lines[at:])
    if imports:
        at = imports[-1].end_lineno or imports[-1].lineno
        return "".join(lines[:at]) + "\n" + statement + "".join(lines[at:])
    at = 0
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant):
        at = tree.body[0].end_lineno or 1
        statement = "\n" + statement
    return "".join(lines[:at]) + statement + "".join(lines[at:])


_JS_IMPORT = re.compile(r"^import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*(['\"])([^'\"]+)\2;?[ \t]*$", re.MULTILINE)
_ANY_JS_IMPORT = re.compile(r"^import\b[^\n]*?(?:from\s*)?['\"][^'\"]+['\"];?[ \t]*$", re.MULTILINE)


def add_js_import(text: str, path: str, defined_in: str, name: str) -> str:
    """`import { name } from "./relative"`: added to an existing named import of that module, else a new line
    after the last import, with the file's quote and semicolon habits."""
    source = posixpath.relpath(posixpath.splitext(defined_in)[0], posixpath.dirname(path) or ".")
    source = source if source.startswith(".") else f"./{source}"
    for match in _JS_IMPORT.finditer(text):
        names = [n.strip() for n in match.group(1).split(",") if n.strip()]
        if name in names:
            raise ToolError(f"{name} is already imported here: nothing to change")
        if match.group(3) == source:
            merged = sorted([*names, name]) if _is_sorted(names) else [*names, name]
            start, end = match.span(1)
            return text[:start] + " " + ", ".join(merged) + " " + text[end:]
    existing = list(_ANY_JS_IMPORT.finditer(text))
    quote = '"' if existing and '"' in existing[-1].group(0) else "'"
    semicolon = ";" if not existing or existing[-1].group(0).rstrip().endswith(";") else ""
    statement = f"import {{ {name} }} from {quote}{source}{quote}{semicolon}\n"
    if not existing:
        return statement + text
    at = existing[-1].end() + 1
    return text[:at] + statement + text[at:]


_JAVA_PACKAGE = re.compile(r"^package\s+([\w.]+)\s*;", re.MULTILINE)
_JAVA_IMPORT = re.compile(r"^import\s+(static\s+)?([\w.]+(?:\.\*)?)\s*;[ \t]*\n?", re.MULTILINE)


def add_java_import(text: str, defining_text: str, name: str) -> str:
    """`import package.Name;` in sorted place among the file's imports, else after its package line."""
    package = _JAVA_PACKAGE.search(defining_text)
    here = _JAVA_PACKAGE.search(text)
    if package is None:
        raise ToolError(f"the file defining {name} declares no package: it cannot be imported")
    if here is not None and here.group(1) == package.group(1):
        raise ToolError(f"{name} is in this file's package ({package.group(1)}): no import needed")
    qualified = f"{package.group(1)}.{name}"
    imports = [m for m in _JAVA_IMPORT.finditer(text) if not m.group(1)]
    if any(m.group(2) in (qualified, f"{package.group(1)}.*") for m in imports):
        raise ToolError(f"{qualified} is already imported here: nothing to change")
    statement = f"import {qualified};\n"
    if imports:
        keys = [m.group(2) for m in imports]
        later = [m for m in imports if m.group(2) > qualified] if _is_sorted(keys) else []
        at = later[0].start() if later else imports[-1].end()
        return text[:at] + statement + text[at:]
    at = here.end() + 1 if here is not None else 0
    return text[:at] + "\n" + statement + text[at:]
