"""Dotted unittest labels (`pkg.test_mod.TestA.test_b`) and the files they live in, under a root directory
that is on the import path (the repository, unittest's start directory, or Django's `tests/`)."""

from __future__ import annotations

import posixpath

from tools.testing.ids import dotted, pytest_file, split_unittest_id


def _under(root: str, path: str) -> str | None:
    """`path` relative to `root`, or None when it lies outside."""
    if root in ("", "."):
        return path
    prefix = root.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def module_of(root: str, path: str) -> str | None:
    """The dotted module of a `.py` file or package directory under `root`."""
    relative = _under(root, path.rstrip("/"))
    if not relative:
        return None
    relative = relative.removesuffix(".py").removesuffix("/__init__")
    return relative.replace("/", ".") if all(part.isidentifier() for part in relative.split("/")) else None


def file_of(root: str, label: str, files: set[str]) -> str:
    """The module file holding `label` (its longest prefix that is a module), or "" when there is none. A
    package stands only for itself: `pkg.test_gone` names no module even though `pkg` exists."""
    parts = label.split(".")
    for cut in range(len(parts), 0, -1):
        base = posixpath.join(root, *parts[:cut]) if root not in ("", ".") else posixpath.join(*parts[:cut])
        if base + ".py" in files:
            return base + ".py"
        if base + "/__init__.py" in files:
            return base + "/__init__.py" if cut == len(parts) else ""
    return ""


def label_of(root: str, selector: str, files: set[str], pattern_prefix: str = "test") -> list[str]:
    """The labels a selector stands for: a unittest id or dotted label as it is, a pytest-style
    `file::Class::test` as `module.Class.test`, a test file as its module, a directory as the modules of the
    test files in it. Empty when it names nothing under `root`."""
    selector = selector.strip()
    if split_unittest_id(selector) is not None:
        return [dotted(selector)]
    path = pytest_file(selector).rstrip("/")
    if path.endswith(".py"):
        module = module_of(root, path) if path in files else None
        rest = selector.partition("::")[2].replace("::", ".")
        return [f"{module}.{rest}" if rest else module] if module else []
    inside = sorted(
        f for f in files if f.startswith(path + "/") and posixpath.basename(f).startswith(pattern_prefix)
        and f.endswith(".py")
    )
    if inside:
        return [module for f in inside if (module := module_of(root, f))]
    return [selector] if "/" not in selector and file_of(root, selector, files) else []
