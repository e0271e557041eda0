"""The import layers docs/ARCHITECTURE.md draws: each package imports only the ones below it, no file circles."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BELOW = {
    "core": set(),
    "workspaces": {"core"},
    "memory": {"core"},
    "tools": {"workspaces", "core"},
    "roles": {"tools", "memory", "workspaces", "core"},
    "graphs": {"roles", "tools", "memory", "workspaces", "core"},
    "swe_team": {"graphs", "roles", "tools", "memory", "workspaces", "core"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in BELOW:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported(path: Path, module: str, is_package: bool) -> set[str]:
    """Every project module `path` imports at run time (imports under `if TYPE_CHECKING:` do not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: len(module.split(".")) - (0 if is_package else 1) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _import_graph() -> dict[str, set[str]]:
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    return {
        module: {
            target
            for name in _imported(path, module, path.name == "__init__.py")
            if (target := resolve(name)) and target != module
        }
        for module, path in modules.items()
    }


def test_every_package_imports_only_the_layers_below_it() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in _import_graph().items()
        for target in targets
        if (own := module.split(".")[0]) != (other := target.split(".")[0]) and other not in BELOW[own]
    ]
    assert upward == []


def test_memory_code_graph_and_experience_do_not_import_each_other() -> None:
    crossing = [
        f"{module} imports {target}"
        for module, targets in _import_graph().items()
        for target in targets
        if module.startswith("memory.") and target.startswith("memory.")
        and module.split(".")[1] != target.split(".")[1] and target != "memory"
    ]
    assert crossing == []


def test_no_two_files_import_each_other_even_through_others() -> None:
    graph = _import_graph()
    circles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            module, path = stack.pop()
            for target in graph.get(module, ()):
                if target == start:
                    circles.append(" → ".join([*path, start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
    assert circles == []
