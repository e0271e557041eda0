"""`CodeGraph`: one repository's files, classes and functions with their relations, kept current incrementally."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from memory.codegraph.cache import MAX_FILE_BYTES, RecordCache, blob_sha, default_cache_dir, list_source_files
from memory.codegraph.extract import extract
from memory.codegraph.languages import language_of, normalize_languages
from memory.codegraph.link import Linker, add_nodes
from memory.codegraph.queries import GraphQueries
from memory.codegraph.records import FileRecord
from memory.codegraph.resolve import Resolver
from memory.codegraph.snapshot import REBUILD_SHARE, REFRESH_AFTER, load_snapshot, save_snapshot

Progress = Callable[[int, int, str], None]
"""Called as (files done, files total, path) while indexing."""
SharedRecords = Callable[[], Mapping[str, FileRecord]]
"""Records parsed elsewhere (another machine's graph), by blob SHA; asked for only when indexing from scratch."""


class _Default:
    pass


DEFAULT_CACHE: Any = _Default()


@dataclass
class IndexStats:
    files: int = 0
    parsed: int = 0
    from_cache: int = 0
    """Files whose record came from the on-disk cache or the saved snapshot."""
    shared: int = 0
    """Files whose record came from a graph published by another machine."""
    symbols: Counter[str] = field(default_factory=Counter)
    edges: Counter[str] = field(default_factory=Counter)
    syntax_errors: dict[str, list[int]] = field(default_factory=dict)
    seconds: float = 0.0


def _class_bases(record: FileRecord) -> dict[str, list[str]]:
    return {symbol.qualname: symbol.bases for symbol in record.symbols if symbol.kind == "class"}


class CodeGraph(GraphQueries):
    """A repository's code graph. Node ids: `path` for files, `path:Qual.name` for classes and functions."""

    def __init__(self, root: Path, languages: tuple[str, ...], cache: RecordCache) -> None:
        self.root = root
        self.languages = languages
        self.cache = cache
        self.graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self.resolver = Resolver()
        self.blob_shas: dict[str, str] = {}
        self.shared: Mapping[str, FileRecord] = {}
        self.stats = IndexStats()
        self.version = 0
        """Bumped on every change, so derived indexes (lexical search) know when to rebuild."""

    @classmethod
    def build(
        cls,
        repo_path: str | Path,
        languages: Iterable[str] | None = None,
        cache_dir: Path | None = DEFAULT_CACHE,
        progress: Progress | None = None,
        shared: SharedRecords | None = None,
    ) -> CodeGraph:
        """Index every source file under `repo_path`; a file is parsed only when no snapshot, `shared` record or
        cached record has its blob SHA."""
        from core.errors import RepositoryError

        root = Path(repo_path).expanduser().resolve()
        if not root.is_dir():
            raise RepositoryError(f"{root} is not a directory", hint="pass the path of a source checkout")
        directory = default_cache_dir() if isinstance(cache_dir, _Default) else cache_dir
        chosen = normalize_languages(tuple(languages) if languages else None)
        graph = cls(root, chosen, RecordCache(directory))
        started = time.perf_counter()
        paths = [p for p in list_source_files(root) if language_of(p, chosen)]
        if directory is None or not graph._resume(directory, paths, progress):
            graph.shared = shared() if shared is not None else {}
            graph._index_all(paths, progress)
            graph.shared = {}
            if directory is not None:
                save_snapshot(directory, graph)
        graph.stats.seconds = time.perf_counter() - started
        graph._count()
        return graph

    def _index_all(self, paths: list[str], progress: Progress | None) -> None:
        for done, path in enumerate(paths, 1):
            loaded = self._load(path)
            if loaded is not None:
                self.blob_shas[path], record = loaded
                self.resolver.add(path, record)
                add_nodes(self.graph, path, record)
            if progress is not None:
                progress(done, len(paths), path)
        linkers = [Linker(self.resolver, path) for path in self.resolver.records]
        for linker in linkers:
            linker.link_bases(self.graph)
        for linker in linkers:
            linker.link_references(self.graph)

    def _current_sha(self, path: str) -> str | None:
        file = self.root / path
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                return None
            return blob_sha(file.read_bytes())
        except OSError:
            return None

    def _resume(self, directory: Path, paths: list[str], progress: Progress | None) -> bool:
        """Start from the saved snapshot and patch in the changed files; False when there is no usable snapshot."""
        snapshot = load_snapshot(directory, self.root, self.languages)
        if snapshot is None:
            return False
        current: dict[str, str] = {}
        for done, path in enumerate(paths, 1):
            sha = self._current_sha(path)
            if sha is not None:
                current[path] = sha
            if progress is not None:
                progress(done, len(paths), path)
        changed = [path for path, sha in current.items() if snapshot.blob_shas.get(path) != sha]
        removed = [path for path in snapshot.blob_shas if path not in current]
        if len(changed) + len(removed) > REBUILD_SHARE * max(len(current), 1):
            return False
        self.graph, self.resolver, self.blob_shas = snapshot.graph, snapshot.resolver, snapshot.blob_shas
        self.stats.syntax_errors = snapshot.syntax_errors
        for path in removed:
            self.remove_file(path)
        for path in changed:
            self.update_file(path)
        self.stats.from_cache += len(current) - len(changed)
        if len(changed) + len(removed) > REFRESH_AFTER:
            save_snapshot(directory, self)
        return True

    def _load(self, path: str) -> tuple[str, FileRecord] | None:
        language = language_of(path, self.languages)
        file = self.root / path
        try:
            if language is None or file.stat().st_size > MAX_FILE_BYTES:
                return None
            content = file.read_bytes()
        except OSError:
            return None
        sha = blob_sha(content)
        record = self.shared.get(sha)
        if record is not None and record.language == language:
            self.stats.shared += 1
        elif (record := self.cache.get(sha, language)) is not None:
            self.stats.from_cache += 1
        else:
            record = extract(content, language)
            self.cache.put(sha, record)
            self.stats.parsed += 1
        if record.syntax_errors:
            self.stats.syntax_errors[path] = record.syntax_errors
        else:
            self.stats.syntax_errors.pop(path, None)
        return sha, record

    def _count(self) -> None:
        self.stats.files = len(self.resolver.records)
        self.stats.symbols = Counter(
            data["kind"] for _, data in self.graph.nodes(data=True) if data.get("kind") != "file"
        )
        self.stats.edges = Counter(kind for _, _, kind in self.graph.edges(keys=True))
        self.version += 1

    def _file_nodes(self, path: str) -> list[str]:
        return [path, *(f"{path}:{s.qualname}" for s in self.resolver.records[path].symbols)]

    def _detach(self, path: str) -> set[str]:
        """Remove a file's nodes; return the other files whose edges pointed into it."""
        nodes = self._file_nodes(path)
        dependents = {
            source.partition(":")[0] for node in nodes if node in self.graph for source, _ in self.graph.in_edges(node)
        }
        self.graph.remove_nodes_from(nodes)
        self.resolver.remove(path)
        self.blob_shas.pop(path, None)
        dependents.discard(path)
        return dependents

    def _relink(self, paths: set[str]) -> None:
        present = [p for p in paths if p in self.resolver.records]
        for path in present:
            for node in self._file_nodes(path):
                stale = [(u, v, k) for u, v, k in self.graph.out_edges(node, keys=True) if k != "contains"]
                self.graph.remove_edges_from(stale)
        linkers = [Linker(self.resolver, p) for p in present]
        for linker in linkers:
            linker.link_bases(self.graph)
        for linker in linkers:
            linker.link_references(self.graph)

    def update_file(self, rel_path: str) -> bool:
        """Re-read one file after an edit (or creation); returns False when its content did not change."""
        path = Path(rel_path).as_posix()
        if not (self.root / path).is_file():
            self.remove_file(path)
            return True
        if language_of(path, self.languages) is None:
            return False
        content_sha = blob_sha((self.root / path).read_bytes())
        if self.blob_shas.get(path) == content_sha:
            return False
        old = self.resolver.records.get(path)
        old_nodes = set(self._file_nodes(path)) if old is not None else set()
        loaded = self._load(path)
        if loaded is None:
            if old is not None:
                self.remove_file(path)
            self._count()
            return True
        sha, record = loaded
        new_nodes = {path, *(f"{path}:{s.qualname}" for s in record.symbols)}
        vanished = old_nodes - new_nodes
        dependents = {
            source.partition(":")[0]
            for node in vanished
            if node in self.graph
            for source, _ in self.graph.in_edges(node)
        }
        self.graph.remove_nodes_from(vanished)
        if old is not None:
            self.resolver.remove(path)
        self.blob_shas[path] = sha
        self.resolver.add(path, record)
        add_nodes(self.graph, path, record)
        dependents |= self._affected_by(path, old, record, vanished ^ (new_nodes - old_nodes))
        dependents.discard(path)
        self._relink({path, *dependents})
        self._count()
        return True

    def _affected_by(self, path: str, old: FileRecord | None, new: FileRecord, came_or_went: set[str]) -> set[str]:
        """Other files whose references may resolve differently now that `path` changed from `old` to `new`."""
        exports_changed = old is None or old.imports != new.imports or _class_bases(old) != _class_bases(new)
        if exports_changed:
            importers = {p for p, r in self.resolver.records.items() if p != path and r.imports}
            nodes = self._file_nodes(path)
            by_edges = {source.partition(":")[0] for node in nodes for source, _ in self.graph.in_edges(node)}
            return by_edges | {p for p in importers if self._may_import(p, path)}
        names = {node.rpartition(":")[2].rpartition(".")[2] for node in came_or_went}
        if not names:
            return set()
        return {
            other
            for other, record in self.resolver.records.items()
            if other != path
            and (
                any(call.callee.rpartition(".")[2] in names for call in record.calls)
                or any(entry.name in names for entry in record.imports)
            )
        }

    def _may_import(self, importer: str, path: str) -> bool:
        stem = Path(path).stem if Path(path).stem != "__init__" else Path(path).parent.name
        return any(stem in (entry.module + "." + entry.name) for entry in self.resolver.records[importer].imports)

    def remove_file(self, rel_path: str) -> None:
        """Forget a deleted (or renamed-away) file and re-resolve the files that referred to it."""
        path = Path(rel_path).as_posix()
        if path not in self.resolver.records:
            return
        dependents = self._detach(path)
        self.stats.syntax_errors.pop(path, None)
        self._relink(dependents)
        self._count()

    def refresh(self) -> list[str]:
        """Re-scan the directory: update changed and new files, drop deleted ones. Returns the changed paths."""
        current = {p for p in list_source_files(self.root) if language_of(p, self.languages)}
        changed = [p for p in sorted(set(self.resolver.records) - current)]
        for path in changed:
            self.remove_file(path)
        changed.extend(p for p in sorted(current) if self.update_file(p))
        return changed

    @property
    def tree_sha(self) -> str:
        """A content key for the indexed files: equal on any machine holding the same sources."""
        digest = hashlib.sha1()
        for path in sorted(self.blob_shas):
            digest.update(f"{path}\0{self.blob_shas[path]}\n".encode())
        return digest.hexdigest()

    def records(self) -> dict[str, tuple[str, FileRecord]]:
        return {path: (self.blob_shas[path], record) for path, record in self.resolver.records.items()}

    @classmethod
    def from_records(
        cls, root: str | Path, languages: Iterable[str] | None, records: dict[str, tuple[str, FileRecord]]
    ) -> CodeGraph:
        """A graph from already parsed records (a Redis payload, a snapshot)."""
        graph = cls(Path(root), normalize_languages(tuple(languages) if languages else None), RecordCache(None))
        started = time.perf_counter()
        for path, (sha, record) in sorted(records.items()):
            graph.blob_shas[path] = sha
            graph.resolver.add(path, record)
            add_nodes(graph.graph, path, record)
            if record.syntax_errors:
                graph.stats.syntax_errors[path] = record.syntax_errors
        linkers = [Linker(graph.resolver, path) for path in graph.resolver.records]
        for linker in linkers:
            linker.link_bases(graph.graph)
        for linker in linkers:
            linker.link_references(graph.graph)
        graph.stats.from_cache = len(records)
        graph.stats.seconds = time.perf_counter() - started
        graph._count()
        return graph

    def repo_map(self, mentions: list[str], token_budget: int = 1024) -> str:
        """Definitions ranked by personalized PageRank from `mentions` (symbols or paths), within a token budget."""
        from memory.codegraph.repomap import repo_map

        return repo_map(self, mentions, token_budget)
