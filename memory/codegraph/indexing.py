"""Building a `CodeGraph` from a directory: resume from the snapshot, else hash, parse in a pool and link.

Each step's seconds land in `graph.stats.phases`, which `swe-team index --profile` prints.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from core.errors import RepositoryError
from memory.codegraph.cache import list_source_files
from memory.codegraph.collection import collection_paused
from memory.codegraph.languages import language_of
from memory.codegraph.parsing import Job, PoolReport, parse_all
from memory.codegraph.records import FileRecord
from memory.codegraph.snapshot import REBUILD_SHARE, REFRESH_AFTER, load_snapshot, save_snapshot, signature_of
from memory.codegraph.timing import Stopwatch

if TYPE_CHECKING:
    from memory.codegraph.graph import CodeGraph, Progress, SharedRecords


def phase(graph: CodeGraph, name: str) -> AbstractContextManager[None]:
    return Stopwatch(graph.stats.phases, graph.stats.phases_cpu).step(name)


@collection_paused()
def index_repository(graph: CodeGraph, progress: Progress | None, shared: SharedRecords | None, workers: int) -> None:
    """Fill `graph` from its root: the saved snapshot patched with what changed, else everything from records."""
    if not graph.root.is_dir():
        raise RepositoryError(f"{graph.root} is not a directory", hint="pass the path of a source checkout")
    started = time.perf_counter()
    with phase(graph, "list files"):
        paths = [p for p in list_source_files(graph.root) if language_of(p, graph.languages)]
    directory = graph.cache.root
    if directory is None or not _resume(graph, paths, progress):
        _index_all(graph, paths, progress, shared, workers)
        if directory is not None:
            if progress is not None:
                progress(len(paths), len(paths), "saving the snapshot")
            with phase(graph, "save snapshot"):
                save_snapshot(directory, graph)
    graph.stats.seconds = time.perf_counter() - started
    graph.count()


def _hash_all(graph: CodeGraph, paths: list[str]) -> dict[str, str]:
    shas: dict[str, str] = {}
    with phase(graph, "hash files"):
        for path in paths:
            sha = graph.read_sha(path)
            if sha is not None:
                shas[path] = sha
    return shas


def _index_all(
    graph: CodeGraph, paths: list[str], progress: Progress | None, shared: SharedRecords | None, workers: int
) -> None:
    shas = _hash_all(graph, paths)
    with phase(graph, "shared records"):
        published = shared() if shared is not None else {}
    records: dict[str, tuple[str, FileRecord]] = {}
    jobs: list[Job] = []
    for path, sha in shas.items():
        language = language_of(path, graph.languages)
        record = published.get(sha)
        if record is not None and record.language == language:
            records[path] = (sha, record)
            graph.stats.shared += 1
        elif language is not None:
            jobs.append(Job(path, sha, language))
    report = PoolReport()
    with phase(graph, "parse"):
        reporting = _offset(progress, len(records), len(shas))
        for parsed in parse_all(graph.root, jobs, graph.cache, workers, reporting, report):
            if parsed.record is None:
                continue
            records[parsed.path] = (parsed.sha, parsed.record)
            if parsed.terms is not None:
                graph.counted_terms[parsed.path] = parsed.terms
            if parsed.from_cache:
                graph.stats.from_cache += 1
            else:
                graph.stats.parsed += 1
    graph.stats.workers = report.workers
    with phase(graph, "add nodes"):
        for path in sorted(records):
            sha, record = records[path]
            graph.add_record(path, sha, record)
    with phase(graph, "link"):
        graph.link(sorted(records), progress)


def _offset(progress: Progress | None, already: int, total: int) -> Progress | None:
    if progress is None:
        return None
    progress(already, total, "parsing")

    def report(done: int, _: int, path: str) -> None:
        progress(already + done, total, f"parsing {path}")

    return report


def _resume(graph: CodeGraph, paths: list[str], progress: Progress | None) -> bool:
    """Start from the saved snapshot and patch in the changed files; False when there is no usable snapshot."""
    assert graph.cache.root is not None
    if progress is not None:
        progress(0, len(paths), "loading the snapshot")
    with phase(graph, "load snapshot"):
        snapshot = load_snapshot(graph.cache.root, graph.root, graph.languages)
    if snapshot is None:
        return False
    current: dict[str, str] = {}
    with phase(graph, "check files"):
        for done, path in enumerate(paths, 1):
            try:
                known = snapshot.known_sha(path, signature_of((graph.root / path).stat()))
            except OSError:
                continue
            if known is not None:
                current[path] = known
                graph.signatures[path] = snapshot.signatures[path]
            elif (sha := graph.read_sha(path)) is not None:
                current[path] = sha
            if progress is not None and done % 200 == 0:
                progress(done, len(paths), f"checking {path}")
    changed = [
        path for path, sha in current.items() if path not in snapshot.records or snapshot.records[path][0] != sha
    ]
    removed = [path for path in snapshot.records if path not in current]
    if len(changed) + len(removed) > REBUILD_SHARE * max(len(current), 1):
        return False
    if progress is not None:
        progress(len(paths), len(paths), "restoring the graph")
    with phase(graph, "restore graph"):
        graph.restore(snapshot)
    with phase(graph, "apply changes"):
        for path in removed:
            graph.remove_file(path)
        for path in changed:
            graph.update_file(path, current[path])
    graph.stats.from_cache += len(current) - len(changed)
    if len(changed) + len(removed) > REFRESH_AFTER:
        with phase(graph, "save snapshot"):
            save_snapshot(graph.cache.root, graph)
    return True
