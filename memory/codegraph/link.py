"""Turning one file's records into graph nodes and resolved edges (contains, imports, calls, inherits, tests)."""

from __future__ import annotations

import posixpath
import re

from core.python_names import BUILTIN_NAMES
from memory.codegraph.records import FileRecord
from memory.codegraph.resolve import COMMON_METHODS, FUZZY_LIMIT, Resolver, module_name, symbol_id
from memory.codegraph.store import GraphStore

TEST_FILE = re.compile(
    r"(^|/)(tests?|testing|__tests__)/|(^|/)test_[^/]*$|_test\.\w+$|\.(test|spec)\.\w+$|Tests?\.java$"
)
JS_LIKE = ("javascript", "typescript", "tsx")


_test_paths: dict[str, bool] = {}


def is_test_path(path: str) -> bool:
    found = _test_paths.get(path)
    if found is None:
        if len(_test_paths) > 200_000:
            _test_paths.clear()
        found = _test_paths[path] = bool(TEST_FILE.search(path))
    return found


def add_nodes(graph: GraphStore, path: str, record: FileRecord) -> None:
    graph.add_node(
        path,
        kind="file",
        path=path,
        name=posixpath.basename(path),
        qualname="",
        start=1,
        end=record.line_count,
        language=record.language,
        test=is_test_path(path),
    )
    known = {s.qualname for s in record.symbols}
    for symbol in record.symbols:
        node = symbol_id(path, symbol.qualname)
        parent_qualname = symbol.qualname.rpartition(".")[0]
        parent = symbol_id(path, parent_qualname) if parent_qualname in known else path
        graph.add_node(
            node,
            kind=symbol.kind,
            path=path,
            name=symbol.name,
            qualname=symbol.qualname,
            start=symbol.start_line,
            end=symbol.end_line,
            signature=symbol.signature,
            doc=symbol.doc,
        )
        graph.add_edge(parent, node, "contains")


class Linker:
    """Resolves the references written in one file against the whole repository."""

    def __init__(self, resolver: Resolver, path: str) -> None:
        self.resolver = resolver
        self.path = path
        self.record = resolver.records[path]
        self.table = resolver.local_table(path)
        self.kinds = {s.qualname: s.kind for s in self.record.symbols}
        self._by_name: dict[str, list[str]] = {}

    def enclosing_class(self, scope: str) -> str | None:
        parts = scope.split(".")
        for cut in range(len(parts), 0, -1):
            qualname = ".".join(parts[:cut])
            if self.kinds.get(qualname) == "class":
                return symbol_id(self.path, qualname)
        return None

    def by_name(self, name: str) -> list[str]:
        """Definitions named `name`: in this file, else in its folder, else anywhere when there are few."""
        found = self._by_name.get(name)
        if found is None:
            found = self._by_name[name] = self._find_by_name(name)
        return found

    def _find_by_name(self, name: str) -> list[str]:
        if name in COMMON_METHODS:
            return []
        candidates = self.resolver.by_name.get(name, set())
        same_file = [c for c in candidates if c.startswith(self.path + ":")]
        if same_file:
            return same_file
        folder = posixpath.dirname(self.path) + "/"
        same_folder = [c for c in candidates if c.startswith(folder) and "/" not in c[len(folder) :].split(":")[0]]
        if same_folder:
            return same_folder
        return sorted(candidates) if len(candidates) <= FUZZY_LIMIT else []

    def _walk_members(self, node: str, rest: list[str]) -> str | None:
        for part in rest:
            found = self.resolver.member(node, part)
            if found is None:
                return None
            node = found
        return node

    def resolve(self, written: str, scope: str) -> tuple[list[str], bool]:
        """Node ids `written` (as in `a.b.c`) refers to inside `scope`, and whether the match is exact."""
        parts = written.split(".")
        head, last = parts[0], parts[-1]
        if head == "?":
            return self.by_name(last), False
        if head in ("self", "cls", "this") and len(parts) == 2:
            owner = self.enclosing_class(scope)
            found = self.resolver.member(owner, last) if owner else None
            return ([found], True) if found else (self.by_name(last), False)
        scopes = scope.split(".") if scope else []
        for cut in range(len(scopes), -1, -1):
            qualname = ".".join([*scopes[:cut], head])
            if qualname in self.kinds:
                found = self._walk_members(symbol_id(self.path, qualname), parts[1:])
                return ([found], True) if found else (self.by_name(last), False)
        target = self.table.get(head)
        if target:
            found = self._resolve_import(target, parts[1:])
            if found:
                return [found], True
            if self._outside_repository(target):
                return [], True
        if len(parts) == 1 and self.record.language == "python":
            if last in BUILTIN_NAMES:
                return self._star_imported(last), True
            return self.module_level_by_name(last), False
        return self.by_name(last), False

    def module_level_by_name(self, name: str) -> list[str]:
        """`by_name` for a plain `name(...)` call in Python, which reaches a function or class, never a method (a
        parameter or local called `register` is not `PluginManager.register`; Java's implicit `this` differs)."""
        return [node for node in self.by_name(name) if "." not in node.rpartition(":")[2]]

    def _star_imported(self, name: str) -> list[str]:
        """A builtin's name this file neither defines nor imports by name: what a `from module import *` brings (the
        name as an attribute of this module), else Python's own, which is nothing of ours."""
        found = self.resolver.resolve_dotted(f"{module_name(self.path)}.{name}")
        return [found] if found else []

    def _outside_repository(self, target: str) -> bool:
        """A Python import of a module the repository does not have (`click`, `os.path`): an attribute reached
        through it is that package's, not a same-named definition of ours."""
        if "::" in target or self.record.language != "python":
            return False
        parts = target.split(".")
        return all(self.resolver.find_module(".".join(parts[:cut])) is None for cut in range(1, len(parts) + 1))

    def _resolve_import(self, target: str, rest: list[str]) -> str | None:
        if "::" not in target:
            return self.resolver.resolve_dotted(".".join([target, *rest]))
        where, _, name = target.partition("::")
        names = [name, *rest] if name else rest
        if where.endswith("/"):
            for candidate in sorted(self.resolver.by_name.get(names[-1], set()) if names else ()):
                if candidate.startswith(where):
                    return candidate
            return None
        if not names:
            return where
        qualname = ".".join(names)
        return symbol_id(where, qualname) if qualname in self.resolver.qualnames.get(where, ()) else None

    def link_bases(self, graph: GraphStore) -> None:
        """Inheritance first: member lookups through base classes need it for every file."""
        for symbol in self.record.symbols:
            if not symbol.bases:
                continue
            node = symbol_id(self.path, symbol.qualname)
            resolved: list[str] = []
            for base in symbol.bases:
                found, exact = self.resolve(base, symbol.qualname.rpartition(".")[0])
                if exact or len(found) == 1:
                    resolved.extend(f for f in found if graph.nodes[f].get("kind") == "class" and f != node)
            self.resolver.bases[node] = resolved
            for base_node in resolved:
                graph.add_edge(node, base_node, "inherits")

    def link_references(self, graph: GraphStore) -> None:
        path, record = self.path, self.record
        for entry in record.imports:
            target = self.resolver.import_target(path, entry)
            if not target:
                continue
            if "::" in target:
                node = self._resolve_import(target, [])
            else:
                node = self.resolver.resolve_dotted(target)
                if node is None and entry.name:
                    node = self.resolver.resolve_dotted(target.rpartition(".")[0])
            if node and node != path:
                graph.add_edge(path, node, "imports", line=entry.line)
        test_file = is_test_path(path)
        resolved: dict[tuple[str, str], tuple[list[str], bool]] = {}
        callers: dict[str, tuple[str, bool]] = {}
        for call in record.calls:
            found = resolved.get((call.callee, call.caller))
            if found is None:
                found = resolved[(call.callee, call.caller)] = self.resolve(call.callee, call.caller)
            targets, exact = found
            known = callers.get(call.caller)
            if known is None:
                caller_name = call.caller.rsplit(".", 1)[-1]
                test = test_file and (caller_name.lower().startswith("test") or record.language in JS_LIKE)
                known = callers[call.caller] = (symbol_id(path, call.caller), test)
            caller, is_test = known
            for target in targets:
                if target == caller:
                    continue
                graph.add_edge(caller, target, "calls", line=call.line, exact=exact)
                target_path = target.partition(":")[0]
                if is_test and (exact or len(targets) == 1) and target_path != path and not is_test_path(target_path):
                    graph.add_edge(caller, target, "tests", line=call.line)
