"""Name resolution: which node a name written in a file refers to (imports, aliases, `self`, re-exports)."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from pathlib import PurePosixPath

from core.python_names import FILE_AND_PATH_METHODS
from memory.codegraph.records import FileRecord, ImportRecord

FUZZY_LIMIT = 3
"""A call resolved by bare name links to at most this many same-named definitions."""
COMMON_METHODS = FILE_AND_PATH_METHODS | frozenset(
    [
        "append",
        "add",
        "clear",
        "close",
        "copy",
        "count",
        "decode",
        "encode",
        "extend",
        "format",
        "get",
        "index",
        "insert",
        "items",
        "join",
        "keys",
        "lower",
        "open",
        "pop",
        "read",
        "remove",
        "replace",
        "run",
        "send",
        "set",
        "split",
        "start",
        "stop",
        "strip",
        "update",
        "upper",
        "values",
        "write",
        "__init__",
        "__call__",
        "setdefault",
        "sort",
        "startswith",
        "endswith",
        "find",
        "match",
        "search",
        "group",
        "sub",
        "next",
        "iter",
        "len",
        "str",
        "repr",
        "exists",
    ]
)
"""Names too common to link by name alone: `x.clear()` on an unknown `x` is almost never ours."""
JS_EXTENSIONS = ("", ".ts", ".tsx", ".js", ".jsx", ".mjs", "/index.ts", "/index.js", "/index.tsx")


def symbol_id(path: str, qualname: str) -> str:
    return f"{path}:{qualname}" if qualname else path


def module_name(path: str) -> str:
    """Dotted module of a Python file (`pkg/sub/__init__.py` → `pkg.sub`); other files: the path minus suffix."""
    pure = PurePosixPath(path)
    parts = list(pure.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class Resolver:
    """Indexes over every file's records, kept current as files come and go."""

    def __init__(self) -> None:
        self.records: dict[str, FileRecord] = {}
        self.qualnames: dict[str, set[str]] = {}
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.modules: dict[str, set[str]] = defaultdict(set)
        """Every dotted suffix of a module name → files (so `src/pkg/mod.py` answers to `pkg.mod`)."""
        self.bases: dict[str, list[str]] = {}
        """Class node id → resolved base class node ids (filled while linking)."""
        self._tables: dict[str, dict[str, str]] = {}
        """Memoized `local_table` per file; cleared (like `_dotted`) whenever a file comes or goes."""
        self._dotted: dict[str, str | None] = {}
        """Memoized `resolve_dotted`: linking a large repository asks for the same names hundreds of thousands
        of times."""

    def _forget(self) -> None:
        self._tables.clear()
        self._dotted.clear()

    def add(self, path: str, record: FileRecord) -> None:
        self._forget()
        self.records[path] = record
        self.qualnames[path] = {s.qualname for s in record.symbols}
        for symbol in record.symbols:
            self.by_name[symbol.name].add(symbol_id(path, symbol.qualname))
        parts = module_name(path).split(".") if record.language == "python" else []
        for start in range(len(parts)):
            self.modules[".".join(parts[start:])].add(path)

    def remove(self, path: str) -> None:
        self._forget()
        record = self.records.pop(path, None)
        self.qualnames.pop(path, None)
        if record is None:
            return
        for symbol in record.symbols:
            self.by_name[symbol.name].discard(symbol_id(path, symbol.qualname))
            self.bases.pop(symbol_id(path, symbol.qualname), None)
        parts = module_name(path).split(".") if record.language == "python" else []
        for start in range(len(parts)):
            self.modules[".".join(parts[start:])].discard(path)

    def find_module(self, dotted: str) -> str | None:
        candidates = self.modules.get(dotted)
        if not candidates:
            return None
        return min(candidates, key=lambda p: (len(p), p))

    def absolute_module(self, path: str, entry: ImportRecord) -> str:
        """The dotted module an import refers to, with relative levels applied."""
        if not entry.level:
            return entry.module
        package = module_name(path).split(".")
        if not path.endswith("__init__.py"):
            package = package[:-1]
        base = package[: len(package) - (entry.level - 1)] if entry.level > 1 else package
        return ".".join([*base, entry.module] if entry.module else base)

    def import_target(self, path: str, entry: ImportRecord) -> str:
        """The dotted name (Python) or path-qualified name (others) the local name stands for."""
        record = self.records[path]
        if record.language != "python":
            return self._foreign_import_target(path, entry)
        module = self.absolute_module(path, entry)
        if entry.name and entry.name != "*":
            return f"{module}.{entry.name}" if module else entry.name
        if entry.alias:
            return module
        return module.split(".")[0]

    def _foreign_import_target(self, path: str, entry: ImportRecord) -> str:
        language = self.records[path].language
        if language in ("javascript", "typescript", "tsx") and entry.module.startswith("."):
            base = posixpath.normpath(posixpath.join(posixpath.dirname(path), entry.module))
            for extension in JS_EXTENSIONS:
                if base + extension in self.records:
                    return f"{base + extension}::{entry.name if entry.name not in ('', 'default') else ''}"
        if language == "java":
            suffix = entry.module.replace(".", "/") + f"/{entry.name}.java"
            for candidate in self.records:
                if candidate.endswith(suffix):
                    return f"{candidate}::{entry.name}"
        if language == "go":
            for candidate in self.records:
                if posixpath.dirname(candidate) and entry.module.endswith(posixpath.dirname(candidate)):
                    return f"{posixpath.dirname(candidate)}/::"
        return ""

    def local_table(self, path: str) -> dict[str, str]:
        table = self._tables.get(path)
        if table is None:
            table = {entry.local_name: self.import_target(path, entry) for entry in self.records[path].imports}
            self._tables[path] = table
        return table

    def resolve_dotted(self, dotted: str) -> str | None:
        """A node id for an absolute dotted Python name, following re-exports through `__init__` imports."""
        if dotted not in self._dotted:
            self._dotted[dotted] = self._resolve_dotted(dotted, 0)
        return self._dotted[dotted]

    def _resolve_dotted(self, dotted: str, depth: int) -> str | None:
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            path = self.find_module(".".join(parts[:cut]))
            if path is None:
                continue
            rest = parts[cut:]
            if not rest:
                return path
            qualname = ".".join(rest)
            if qualname in self.qualnames[path]:
                return symbol_id(path, qualname)
            if depth < 4:
                table = self.local_table(path)
                if rest[0] in table and table[rest[0]]:
                    return self._resolve_dotted(".".join([table[rest[0]], *rest[1:]]), depth + 1)
                for entry in self.records[path].imports:
                    if entry.name == "*" and self.records[path].language == "python":
                        found = self._resolve_dotted(".".join([self.absolute_module(path, entry), *rest]), depth + 1)
                        if found:
                            return found
            return None
        return None

    def member(self, class_id: str, name: str, depth: int = 0) -> str | None:
        path, _, qualname = class_id.partition(":")
        if f"{qualname}.{name}" in self.qualnames.get(path, ()):
            return symbol_id(path, f"{qualname}.{name}")
        if depth < 6:
            for base in self.bases.get(class_id, []):
                found = self.member(base, name, depth + 1)
                if found:
                    return found
        return None
