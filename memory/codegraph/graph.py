"""`CodeGraph`: one repository's files, classes and functions with their relations, kept current incrementally."""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory.codegraph.cache import MAX_FILE_BYTES, RecordCache, blob_sha, default_cache_dir, list_source_files
from memory.codegraph.languages import language_of, normalize_languages
from memory.codegraph.link import Linker, add_nodes
from memory.codegraph.parsing import Job, parse_one
from memory.codegraph.queries import GraphQueries
from memory.codegraph.records import FileRecord
from memory.codegraph.resolve import Resolver
from memory.codegraph.snapshot import FileSignature, Snapshot, load_calls, load_terms, signature_of
from memory.codegraph.store import GraphStore
from memory.codegraph.term_counts import LocalTerms

Progress = Callable[[int, int, str], None]
"""Called as (done, total, what: "parsing path/to/file.py") while indexing."""
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
    hashed: int = 0
    """Files read to take their blob SHA (a warm index reads only files whose stat signature changed)."""
    symbols: Counter[str] = field(default_factory=Counter)
    edges: Counter[str] = field(default_factory=Counter)
    syntax_errors: dict[str, list[int]] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per step of the last build (listing, hashing, loading the snapshot, parsing, linking, saving)."""
    phases_cpu: dict[str, float] = field(default_factory=dict)
    """This process's CPU seconds per step (parsing workers' time is theirs)."""
    workers: int = 0
    """Processes that parsed files (0: parsed here, or nothing to parse)."""


def _class_bases(record: FileRecord) -> dict[str, list[str]]:
    return {symbol.qualname: symbol.bases for symbol in record.symbols if symbol.kind == "class"}


class CodeGraph(GraphQueries):
    """A repository's code graph. Node ids: `path` for files, `path:Qual.name` for classes and functions."""

    def __init__(self, root: Path, languages: tuple[str, ...], cache: RecordCache) -> None:
        self.root = root
        self.languages = languages
        self.cache = cache
        self.graph = GraphStore()
        self.resolver = Resolver()
        self.blob_shas: dict[str, str] = {}
        self.signatures: dict[str, FileSignature] = {}
        """Stat signature of each file when its blob SHA was taken, for the next snapshot."""
        self.stats = IndexStats()
        self.version = 0
        """Bumped on every change, so derived indexes (lexical search) know when to rebuild."""
        self.counted_terms: dict[str, LocalTerms] = {}
        """Files' lexical documents counted by the parsing workers, until the lexical index is first built."""
        self.calls_pending: Path | None = None
        """The snapshot file holding the records' calls, until something needs them (re-linking, publishing)."""
        self.terms_pending: tuple[Path, dict[str, FileRecord]] | None = None
        """The snapshot file holding the search terms of the records restored without them (those records), until
        something needs them (counting lexical documents, saving, publishing)."""

    @classmethod
    def build(
        cls,
        repo_path: str | Path,
        languages: Iterable[str] | None = None,
        cache_dir: Path | None = DEFAULT_CACHE,
        progress: Progress | None = None,
        shared: SharedRecords | None = None,
        workers: int = 0,
    ) -> CodeGraph:
        """Index every source file under `repo_path`; a file is parsed only when no snapshot, `shared` record or
        cached record has its blob SHA. `workers`: parsing processes (0: one per core, at most four)."""
        from memory.codegraph.indexing import index_repository

        directory = default_cache_dir() if isinstance(cache_dir, _Default) else cache_dir
        root = Path(repo_path).expanduser().resolve()
        graph = cls(root, normalize_languages(tuple(languages) if languages else None), RecordCache(directory))
        index_repository(graph, progress, shared, workers)
        return graph

    def add_record(self, path: str, sha: str, record: FileRecord) -> None:
        self.blob_shas[path] = sha
        self.resolver.add(path, record)
        add_nodes(self.graph, path, record)
        if record.syntax_errors:
            self.stats.syntax_errors[path] = record.syntax_errors
        else:
            self.stats.syntax_errors.pop(path, None)

    def restore(self, snapshot: Snapshot) -> None:
        """Take the files, nodes and edges of a saved snapshot; its calls stay on disk until needed."""
        for path, (sha, record) in snapshot.records.items():
            self.blob_shas[path] = sha
            self.resolver.add(path, record)
            if record.syntax_errors:
                self.stats.syntax_errors[path] = record.syntax_errors
        self.graph = GraphStore.restored(snapshot.nodes, snapshot.edges)
        self.resolver.bases = snapshot.bases
        self.calls_pending = snapshot.calls_path
        self.terms_pending = (snapshot.terms_path, {path: record for path, (_, record) in snapshot.records.items()})

    def link(self, paths: Iterable[str], progress: Progress | None = None) -> None:
        """Resolve the references of `paths`: base classes of all of them first, as member lookups follow bases."""
        linkers = [Linker(self.resolver, path) for path in paths if path in self.resolver.records]
        for linker in linkers:
            linker.link_bases(self.graph)
        for done, linker in enumerate(linkers, 1):
            linker.link_references(self.graph)
            if progress is not None:
                progress(done, len(linkers), f"linking {linker.path}")

    def ensure_calls(self) -> None:
        """Bring back the calls a snapshot left on disk; records it lacks are read from the cache or parsed."""
        if self.calls_pending is None:
            return
        saved = load_calls(self.calls_pending, self.blob_shas) or {}
        self.calls_pending = None
        for path, record in self.resolver.records.items():
            calls = saved.get(path)
            if calls is None:
                language = language_of(path, self.languages) or record.language
                parsed = parse_one(self.root, Job(path, self.blob_shas[path], language), self.cache).record
                calls = parsed.calls if parsed is not None else []
            record.calls = calls

    def ensure_terms(self) -> None:
        """Bring back the search terms a snapshot left on disk into the records restored without them; a file the
        terms file lacks is read from the cache or parsed."""
        if self.terms_pending is None:
            return
        (terms_path, restored), self.terms_pending = self.terms_pending, None
        lacking = {path: record for path, record in restored.items() if self.resolver.records.get(path) is record}
        saved = load_terms(terms_path, {path: self.blob_shas[path] for path in lacking})
        for path, record in lacking.items():
            terms = saved.get(path)
            if terms is None or len(terms[1]) != len(record.symbols):
                language = language_of(path, self.languages) or record.language
                parsed = parse_one(self.root, Job(path, self.blob_shas[path], language), self.cache).record
                terms = (parsed.module_terms, [symbol.terms for symbol in parsed.symbols]) if parsed else ("", [])
            record.module_terms = terms[0]
            for symbol, symbol_terms in zip(record.symbols, terms[1], strict=False):
                symbol.terms = symbol_terms

    def read_sha(self, path: str) -> str | None:
        """The file's blob SHA as it is now (None: unreadable or too large), remembering its stat signature."""
        file = self.root / path
        try:
            stat = file.stat()
            if stat.st_size > MAX_FILE_BYTES:
                return None
            sha = blob_sha(file.read_bytes())
        except OSError:
            return None
        self.stats.hashed += 1
        self.signatures[path] = signature_of(stat)
        return sha

    def count(self) -> None:
        self.stats.files = len(self.resolver.records)
        kinds = (data.get("kind", "") for data in self.graph.node_table().values())
        self.stats.symbols = Counter(kind for kind in kinds if kind not in ("file", ""))
        self.stats.edges = self.graph.edge_kinds()
        self.version += 1

    def _file_nodes(self, path: str) -> list[str]:
        return [path, *(f"{path}:{s.qualname}" for s in self.resolver.records[path].symbols)]

    def _relink(self, paths: set[str]) -> None:
        present = [p for p in paths if p in self.resolver.records]
        for path in present:
            for node in self._file_nodes(path):
                stale = [(u, v, k) for u, v, k in self.graph.out_edges(node, keys=True) if k != "contains"]
                self.graph.remove_edges_from(stale)
        self.link(present)

    def update_file(self, rel_path: str, known_sha: str | None = None) -> bool:
        """Re-read one file after an edit (or creation); returns False when its content did not change.
        `known_sha`: the file's blob SHA when the caller has just taken it."""
        touched = self._take_file(Path(rel_path).as_posix(), known_sha)
        if touched is None:
            return False
        if touched:
            self._relink(touched)
            self.count()
        return True

    def update_files(self, rel_paths: Iterable[str]) -> list[str]:
        """`update_file` for the files one edit changed together: each is re-read first, then what they affect is
        re-linked and the graph counted once (file by file, a rename across 16 files re-linked and counted 16
        times). Returns the paths whose content changed."""
        changed: list[str] = []
        touched: set[str] = set()
        for path in dict.fromkeys(Path(p).as_posix() for p in rel_paths):
            found = self._take_file(path)
            if found is not None:
                changed.append(path)
                touched |= found
        if touched:
            self._relink(touched)
            self.count()
        return changed

    def _take_file(self, path: str, known_sha: str | None = None) -> set[str] | None:
        """The file's new record in place of its old one, not yet re-linked: None when its content did not change,
        else the files to re-link."""
        if not (self.root / path).is_file():
            return self._drop_file(path)
        language = language_of(path, self.languages)
        if language is None:
            return None
        sha = known_sha or self.read_sha(path)
        if sha is not None and self.blob_shas.get(path) == sha:
            return None
        self.ensure_calls()
        old = self.resolver.records.get(path)
        parsed = parse_one(self.root, Job(path, sha, language), self.cache) if sha is not None else None
        if sha is None or parsed is None or parsed.record is None:
            return self._drop_file(path)
        record = parsed.record
        self.stats.parsed += 0 if parsed.from_cache else 1
        old_nodes = set(self._file_nodes(path)) if old is not None else set()
        new_nodes = {path, *(f"{path}:{s.qualname}" for s in record.symbols)}
        vanished = old_nodes - new_nodes
        dependents = {
            source.partition(":")[0]
            for node in vanished
            if node in self.graph
            for source, *_ in self.graph.in_edges(node)
        }
        self.graph.remove_nodes_from(vanished)
        if old is not None:
            self.resolver.remove(path)
        self.add_record(path, sha, record)
        dependents |= self._affected_by(path, old, record, vanished ^ (new_nodes - old_nodes))
        dependents.discard(path)
        return {path, *dependents}

    def _affected_by(self, path: str, old: FileRecord | None, new: FileRecord, came_or_went: set[str]) -> set[str]:
        """Other files whose references may resolve differently now that `path` changed from `old` to `new`."""
        exports_changed = old is None or old.imports != new.imports or _class_bases(old) != _class_bases(new)
        if exports_changed:
            importers = {p for p, r in self.resolver.records.items() if p != path and r.imports}
            nodes = self._file_nodes(path)
            by_edges = {source.partition(":")[0] for node in nodes for source, *_ in self.graph.in_edges(node)}
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
        touched = self._drop_file(Path(rel_path).as_posix())
        if touched:
            self._relink(touched)
            self.count()

    def _drop_file(self, path: str) -> set[str]:
        """The file's nodes and record forgotten, not yet re-linked: the files to re-link (none when the file was
        not indexed; the file itself, which re-linking skips, otherwise)."""
        if path not in self.resolver.records:
            return set()
        self.ensure_calls()
        nodes = self._file_nodes(path)
        dependents = {source.partition(":")[0] for node in nodes for source, *_ in self.graph.in_edges(node)}
        self.graph.remove_nodes_from(nodes)
        self.resolver.remove(path)
        self.blob_shas.pop(path, None)
        self.signatures.pop(path, None)
        self.stats.syntax_errors.pop(path, None)
        return {path, *dependents}

    def refresh(self, trust_signatures: bool = False) -> list[str]:
        """Re-scan the directory: update changed and new files, drop deleted ones. Returns the changed paths.
        `trust_signatures`: a file whose size, modification time and inode are as when it was read is not read again
        (a resident graph checks the whole tree before every query)."""
        current = {p for p in list_source_files(self.root) if language_of(p, self.languages)}
        gone = sorted(set(self.resolver.records) - current)
        for path in gone:
            self.remove_file(path)
        stale = (path for path in sorted(current) if not (trust_signatures and self._same_on_disk(path)))
        return gone + self.update_files(stale)

    def _same_on_disk(self, path: str) -> bool:
        try:
            return self.signatures.get(path) == signature_of(os.stat(os.path.join(self.root, path)))
        except OSError:
            return False

    @property
    def tree_sha(self) -> str:
        """A content key for the indexed files: equal on any machine holding the same sources."""
        digest = hashlib.sha1()
        for path in sorted(self.blob_shas):
            digest.update(f"{path}\0{self.blob_shas[path]}\n".encode())
        return digest.hexdigest()

    def records(self) -> dict[str, tuple[str, FileRecord]]:
        self.ensure_calls()
        self.ensure_terms()
        return {path: (self.blob_shas[path], record) for path, record in self.resolver.records.items()}

    @classmethod
    def from_records(
        cls, root: str | Path, languages: Iterable[str] | None, records: dict[str, tuple[str, FileRecord]]
    ) -> CodeGraph:
        """A graph from already parsed records (a Redis payload)."""
        graph = cls(Path(root), normalize_languages(tuple(languages) if languages else None), RecordCache(None))
        started = time.perf_counter()
        for path, (sha, record) in sorted(records.items()):
            graph.add_record(path, sha, record)
        graph.link(list(graph.resolver.records))
        graph.stats.from_cache = len(records)
        graph.stats.seconds = time.perf_counter() - started
        graph.count()
        return graph

    def repo_map(self, mentions: list[str], token_budget: int = 1024) -> str:
        """Definitions ranked by personalized PageRank from `mentions` (symbols or paths), within a token budget."""
        from memory.codegraph.repomap import repo_map

        return repo_map(self, mentions, token_budget)
