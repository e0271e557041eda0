"""The workspace's files on this machine, where rope and tree-sitter read them.

With a code graph, that is the graph's host copy (the worktree itself for a local workspace; for a Docker workspace,
the copy every tool edit is mirrored into). Without one, the files are read through the workspace API into a
temporary directory once, and kept current from then on by the context's file listeners. Either way an action
compares each file's text with the workspace before writing, so a stale copy can only make it refuse.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from core.errors import ToolError, WorkspaceError
from tools.actions.rope_scopes import use_ast_scope_regions
from tools.base import ToolContext

SOURCE_SUFFIXES = (".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".java", ".go")
ROPE_IGNORED = [
    *("*.pyc", "*~", ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", ".mypy_cache", ".pytest_cache"),
    *("node_modules", "__pycache__", "site-packages"),
]
"""Folders rope never reads: version control, environments, installed packages and caches."""
_TREE_KEY = "actions.source_tree"
_ROPE_KEY = "actions.rope_project"
_TEXTS_KEY = "actions.python_texts"
T = TypeVar("T")


class GraphView(Protocol):
    """The part of the code graph (memory/codegraph) the actions use."""

    root: Path

    def definition(self, symbol: str) -> list[Any]: ...

    def references(self, symbol: str) -> list[Any]: ...

    def search_symbols(self, query: str, kinds: tuple[str, ...] = (), limit: int = 20) -> list[Any]: ...


def graph_of(ctx: ToolContext) -> GraphView | None:
    graph: GraphView | None = ctx.code_graph
    return graph


def _materialize(ctx: ToolContext) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="swe-team-actions-"))
    try:
        paths = ctx.workspace.list_files(".")
    except WorkspaceError as exc:
        raise ToolError(exc.user_message()) from exc
    for path in paths:
        if path.endswith(SOURCE_SUFFIXES):
            _copy_in(ctx, directory, path)

    def mirror(paths: list[str]) -> None:
        for path in paths:
            if path.endswith(SOURCE_SUFFIXES):
                _copy_in(ctx, directory, path)

    ctx.file_listeners.append(mirror)
    return directory


def _copy_in(ctx: ToolContext, directory: Path, path: str) -> None:
    target = directory / path
    try:
        text = ctx.workspace.read_file(path) if ctx.workspace.exists(path) else None
    except (WorkspaceError, UnicodeDecodeError):
        text = None
    if text is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def host_root(ctx: ToolContext) -> Path:
    """The directory holding the workspace's current source files on this machine."""
    graph = graph_of(ctx)
    if graph is not None:
        return Path(graph.root)
    if _TREE_KEY not in ctx.extras:
        ctx.extras[_TREE_KEY] = _materialize(ctx)
    root: Path = ctx.extras[_TREE_KEY]
    return root


def package_roots(root: Path) -> list[str]:
    """Folders below the root holding top-level packages (`src` in a src layout), which rope must search before
    this interpreter's own sys.path, where an installed copy of the same package may sit (rope finds the root's
    packages itself, but then no folder below it)."""
    found: set[str] = set()
    skipped = {pattern for pattern in ROPE_IGNORED if "*" not in pattern}
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if name not in skipped and not name.startswith(".")]
        here = Path(folder)
        if "__init__.py" in files and not (here.parent / "__init__.py").is_file() and here.parent != root:
            found.add(here.parent.relative_to(root).as_posix())
    return sorted(found, key=lambda folder: (folder.count("/"), folder))


class PythonTexts:
    """The text of every Python file under a root, re-read only when a file's size or modification time changed:
    which files mention a name is answered without reading the tree again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.texts: dict[str, str] = {}
        self._stamps: dict[str, tuple[int, int]] = {}
        self._derived: dict[str, dict[str, Any]] = {}

    def refresh(self) -> None:
        seen: dict[str, tuple[int, int]] = {}
        skipped = {pattern for pattern in ROPE_IGNORED if "*" not in pattern}
        for folder, folders, files in os.walk(self.root):
            folders[:] = [name for name in folders if name not in skipped and not name.startswith(".")]
            for name in files:
                if not name.endswith(".py"):
                    continue
                file = Path(folder) / name
                try:
                    stat = file.stat()
                except OSError:
                    continue
                path = file.relative_to(self.root).as_posix()
                seen[path] = (stat.st_mtime_ns, stat.st_size)
                if self._stamps.get(path) != seen[path]:
                    self._derived.pop(path, None)
                    try:
                        self.texts[path] = file.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError):
                        self.texts[path] = ""
        for path in set(self.texts) - set(seen):
            del self.texts[path]
            self._derived.pop(path, None)
        self._stamps = seen

    def mentioning(self, name: str) -> list[str]:
        return sorted(path for path, text in self.texts.items() if name in text)

    def derived(self, kind: str, path: str, compute: Callable[[str], T]) -> T:
        """`compute` of the file's text, kept until the text changes (`kind` names what was computed)."""
        kept = self._derived.setdefault(path, {})
        if kind not in kept:
            kept[kind] = compute(self.texts[path])
        value: T = kept[kind]
        return value


def python_texts(ctx: ToolContext, refresh: bool = True) -> PythonTexts:
    """The Python files under `host_root`, current as of this call (`refresh=False`: as of the last refresh, for
    the rest of an action that has just opened the rope project)."""
    root = host_root(ctx)
    texts = ctx.extras.get(_TEXTS_KEY)
    if not isinstance(texts, PythonTexts) or texts.root != root:
        texts = PythonTexts(root)
        ctx.extras[_TEXTS_KEY] = texts
        refresh = True
    if refresh:
        texts.refresh()
    return texts


def _project_class() -> type[Any]:
    from rope.base.project import Project

    class WarmProject(Project):  # type: ignore[misc]
        """Rope's project, with its source folders (which rope finds by walking the whole tree on every module
        lookup) kept until a Python file is added or removed."""

        folders_for: frozenset[str] = frozenset()
        folders: list[Any] | None = None

        def get_source_folders(self) -> list[Any]:
            if self.folders is None:
                self.folders = super().get_source_folders()
            return self.folders

        def track(self, paths: frozenset[str]) -> None:
            if paths != self.folders_for:
                self.folders_for, self.folders = paths, None

    return WarmProject


def rope_errors() -> tuple[type[Exception], ...]:
    """What rope raises on code it cannot refactor: its own errors, and assertions or lookups that fail inside it on
    code shapes it does not expect (a call with `**kwargs` in a signature change)."""
    from rope.base.exceptions import RopeError

    return (RopeError, SyntaxError, ValueError, AssertionError, AttributeError, IndexError, KeyError, TypeError)


def rope_project(ctx: ToolContext) -> Any:
    """A rope project over `host_root`, kept open across calls (a warm project answers a rename on pytest in
    well under a second; opening one costs seconds) and revalidated against the files on each use."""
    root = host_root(ctx)
    paths = frozenset(python_texts(ctx).texts)
    project = ctx.extras.get(_ROPE_KEY)
    if project is None or Path(project.address) != root:
        use_ast_scope_regions()
        project = _project_class()(
            str(root), ropefolder=None, ignored_resources=ROPE_IGNORED, source_folders=package_roots(root)
        )
        ctx.extras[_ROPE_KEY] = project
    else:
        project.validate()
    project.track(paths)
    return project
