"""Parsing many files at once: worker processes read, parse and cache files in chunks, results in the order given.

Each worker is `python -m memory.codegraph.parse_worker`, fed chunks of jobs through a pipe by one thread here, and
writes the records it parses straight to the on-disk cache, so an interrupted index keeps its work. The caller's
thread alone sees the results and calls `progress`. Few files, or a worker that cannot start or dies: those chunks
are parsed in this process instead.
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from memory.codegraph.cache import RecordCache
from memory.codegraph.extract import extract
from memory.codegraph.records import FileRecord
from memory.codegraph.term_counts import LocalTerms, count_file

POOL_MINIMUM = 48
"""Fewer files to parse than this are parsed in this process: starting workers costs about a second."""
CHUNK_FILES = 16
MAX_WORKERS = 4
"""Each worker holds the grammars and a chunk's records, about 60 MB."""
HEADER = struct.Struct("!Q")
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Job:
    path: str
    sha: str
    language: str


@dataclass(frozen=True)
class Parsed:
    path: str
    sha: str
    record: FileRecord | None
    """None when the file could not be read (deleted meanwhile)."""
    from_cache: bool
    terms: LocalTerms | None = None
    """The file's lexical documents, counted by the worker that parsed it (None: to be counted by the index)."""


@dataclass
class PoolReport:
    """How a `parse_all` went: worker processes started, files parsed here because none could take them."""

    workers: int = 0
    parsed_here: int = 0


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def parse_one(root: Path, job: Job, cache: RecordCache) -> Parsed:
    """The file's record from the cache, else parsed (and cached)."""
    record = cache.get(job.sha, job.language)
    if record is not None:
        return Parsed(job.path, job.sha, record, True)
    try:
        content = (root / job.path).read_bytes()
    except OSError:
        return Parsed(job.path, job.sha, None, False)
    record = extract(content, job.language)
    cache.put(job.sha, record)
    return Parsed(job.path, job.sha, record, False)


def parse_counted(root: Path, job: Job, cache: RecordCache) -> Parsed:
    """`parse_one` with the file's lexical documents counted, as a worker answers."""
    parsed = parse_one(root, job, cache)
    if parsed.record is None:
        return parsed
    return Parsed(
        parsed.path, parsed.sha, parsed.record, parsed.from_cache, count_file(job.path, job.sha, parsed.record)
    )


def read_message(stream: IO[bytes]) -> Any:
    """The next length-prefixed pickled message, or None at the end of the stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    body = stream.read(HEADER.unpack(header)[0])
    return pickle.loads(body)


def write_message(stream: IO[bytes], message: Any) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


class _Pool:
    """Worker processes serving numbered chunks; `results[i]` is chunk i's records, or None if it failed."""

    def __init__(self, root: Path, chunks: list[list[Job]], cache: RecordCache, workers: int) -> None:
        self.chunks = chunks
        self.pending: queue.Queue[int] = queue.Queue()
        for index in range(len(chunks)):
            self.pending.put(index)
        self.results: dict[int, list[Parsed] | None] = {}
        self.ready = threading.Condition()
        self.started = 0
        paths = [str(PACKAGE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        # -P: the current folder does not go first on the worker's path, so a `memory` package of the folder
        # swe-team runs in (a checkout of another version of it) is never imported instead of ours.
        command = [sys.executable, "-P", "-m", "memory.codegraph.parse_worker", str(root), str(cache.root or "")]
        self.threads = []
        for _ in range(workers):
            try:
                process = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment
                )
            except OSError:
                continue
            self.started += 1
            thread = threading.Thread(target=self._serve, args=(process,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _finish(self, index: int, parsed: list[Parsed] | None) -> None:
        with self.ready:
            self.results[index] = parsed
            self.ready.notify_all()

    def _serve(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None and process.stdout is not None
        try:
            while True:
                try:
                    index = self.pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    write_message(process.stdin, self.chunks[index])
                    parsed = read_message(process.stdout)
                except (OSError, pickle.UnpicklingError, EOFError, ValueError):
                    parsed = None
                self._finish(index, parsed if isinstance(parsed, list) else None)
                if parsed is None:
                    return
        finally:
            self._stop(process)

    @staticmethod
    def _stop(process: subprocess.Popen[bytes]) -> None:
        try:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()

    def chunk(self, index: int) -> list[Parsed] | None:
        """Chunk `index`'s records once a worker has them; None when no worker can parse it."""
        with self.ready:
            while index not in self.results:
                if not any(thread.is_alive() for thread in self.threads):
                    return None
                self.ready.wait(timeout=0.5)
            return self.results[index]

    def close(self) -> None:
        while not self.pending.empty():
            try:
                self.pending.get_nowait()
            except queue.Empty:
                break
        for thread in self.threads:
            thread.join(timeout=30)


def _pooled(root: Path, jobs: list[Job], cache: RecordCache, workers: int, report: PoolReport) -> Iterator[Parsed]:
    chunks = [jobs[start : start + CHUNK_FILES] for start in range(0, len(jobs), CHUNK_FILES)]
    pool = _Pool(root, chunks, cache, workers)
    report.workers = pool.started
    try:
        for index, chunk in enumerate(chunks):
            parsed = pool.chunk(index)
            if parsed is None:
                report.parsed_here += len(chunk)
                parsed = [parse_one(root, job, cache) for job in chunk]
            yield from parsed
    finally:
        pool.close()


def parse_all(
    root: Path,
    jobs: list[Job],
    cache: RecordCache,
    workers: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
    report: PoolReport | None = None,
) -> Iterator[Parsed]:
    """Every job's record, in the order of `jobs`; `progress(done, total, path)` as they come, on this thread.
    `workers`: processes to parse in (0: one per core, at most `MAX_WORKERS`; 1: none)."""
    count = workers or default_workers()
    report = report if report is not None else PoolReport()
    if count > 1 and len(jobs) >= POOL_MINIMUM:
        results = _pooled(root, jobs, cache, count, report)
    else:
        report.parsed_here = len(jobs)
        results = (parse_one(root, job, cache) for job in jobs)
    for done, parsed in enumerate(results, 1):
        if progress is not None:
            progress(done, len(jobs), parsed.path)
        yield parsed
