"""The embedded experience store: one SQLite file (WAL, several processes may write), same index as Redis."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from core.sqlite_wal import connect_wal
from memory.experience.analysis import pack_impact
from memory.experience.ranking import META_ERRORS, CandidateMeta, PostingBatch, meta_for
from memory.experience.record import Experience, RepoFacts, load_experience, load_facts, repo_key
from memory.experience.store import IndexedStore, MemoryStoreError, StoreStats

log = logging.getLogger("swe_team.memory")
GLOBAL = "*"
_SCHEMA = """
PRAGMA wal_autocheckpoint=0;
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS experiences(
    id TEXT PRIMARY KEY, repo TEXT NOT NULL, status TEXT NOT NULL, finished_at REAL NOT NULL,
    meta TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS experiences_by_repo ON experiences(repo, finished_at);
CREATE INDEX IF NOT EXISTS experiences_by_time ON experiences(finished_at);
CREATE TABLE IF NOT EXISTS postings(
    scope TEXT NOT NULL, term TEXT NOT NULL, impact INTEGER NOT NULL, id TEXT NOT NULL,
    PRIMARY KEY(scope, term, impact, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS term_df(scope TEXT NOT NULL, term TEXT NOT NULL, df INTEGER NOT NULL,
    PRIMARY KEY(scope, term)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scope_stats(
    scope TEXT PRIMARY KEY, n INTEGER NOT NULL, total_len INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS facts(repo TEXT PRIMARY KEY, doc TEXT NOT NULL);
"""


CHECKPOINT_EVERY_S = 1.0
OPEN_WAIT_S = 60.0


class SqliteExperienceStore(IndexedStore):
    backend = "sqlite"

    def __init__(self, path: str | Path, *, ttl_days: float = 0.0) -> None:
        self.location = str(path)
        self.ttl_days = ttl_days
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = connect_wal(Path(path), timeout=OPEN_WAIT_S, autocommit=True, setup=_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise MemoryStoreError(
                f"cannot open the experience database {path}: {exc}",
                hint="another process holds it: retry when it is done"
                if "locked" in str(exc)
                else "move the file away to start afresh",
            ) from exc
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._checkpointer = threading.Thread(target=self._checkpoint_in_background, daemon=True)
        self._checkpointer.start()

    def _rows(self, sql: str, params: Any = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # writing

    def add(self, exp: Experience) -> str:
        self.add_many([exp])
        return exp.id

    def add_many(self, exps: Iterable[Experience], batch: int = 500) -> int:
        items = [self.redacted(exp) for exp in exps]
        for start in range(0, len(items), batch):
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for exp in items[start : start + batch]:
                        self._insert(exp)
                    self._expire_old()
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
        return len(items)

    def _insert(self, exp: Experience) -> None:
        """Index one experience; caller holds the lock inside a transaction."""
        meta = meta_for(exp)
        db = self._db
        self._unindex(exp.id)
        docno = db.execute(
            "INSERT INTO counters VALUES('docno', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"
        ).fetchone()[0]
        db.execute(
            "INSERT INTO experiences VALUES(?, ?, ?, ?, ?, ?)",
            (exp.id, exp.repo, exp.status, exp.finished_at, meta.encode(), exp.to_json()),
        )
        for scope in (repo_key(exp.repo), GLOBAL):
            db.executemany(
                "INSERT INTO postings VALUES(?, ?, ?, ?)",
                [(scope, t, pack_impact(tf, meta.doc_len, docno), exp.id) for t, tf in meta.tfs.items()],
            )
            db.executemany(
                "INSERT INTO term_df VALUES(?, ?, 1) ON CONFLICT DO UPDATE SET df = df + 1",
                [(scope, t) for t in meta.tfs],
            )
            db.execute(
                "INSERT INTO scope_stats VALUES(?, 1, ?) ON CONFLICT DO UPDATE "
                "SET n = n + 1, total_len = total_len + excluded.total_len",
                (scope, meta.doc_len),
            )

    def _unindex(self, exp_id: str) -> bool:
        """Remove one experience and its postings; caller holds the lock inside a transaction."""
        row = self._db.execute("SELECT repo, meta FROM experiences WHERE id = ?", (exp_id,)).fetchone()
        if row is None:
            return False
        self._db.execute("DELETE FROM experiences WHERE id = ?", (exp_id,))
        try:
            meta = CandidateMeta.decode(row[1])
        except META_ERRORS:
            log.warning("experience %s had corrupt index metadata; removing its postings by scan", exp_id)
            self._db.execute("DELETE FROM postings WHERE id = ?", (exp_id,))
            return True
        for scope in (repo_key(row[0]), GLOBAL):
            self._db.executemany(
                "DELETE FROM postings WHERE scope = ? AND term = ? AND id = ?",
                [(scope, t, exp_id) for t in meta.tfs],
            )
            self._db.executemany(
                "UPDATE term_df SET df = df - 1 WHERE scope = ? AND term = ?", [(scope, t) for t in meta.tfs]
            )
            self._db.execute(
                "UPDATE scope_stats SET n = n - 1, total_len = total_len - ? WHERE scope = ?",
                (meta.doc_len, scope),
            )
        return True

    def _expire_old(self) -> None:
        cutoff = self.not_before()
        if cutoff <= 0:
            return
        for (old_id,) in self._db.execute(
            "SELECT id FROM experiences WHERE finished_at < ? ORDER BY finished_at LIMIT 50", (cutoff,)
        ).fetchall():
            self._unindex(old_id)

    def forget(self, exp_id: str) -> bool:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                found = self._unindex(exp_id)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return found

    def put_facts(self, facts: RepoFacts) -> RepoFacts:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT doc FROM facts WHERE repo = ?", (facts.repo,)).fetchone()
                old = load_facts(row[0], f"facts of {facts.repo}") if row else None
                merged = old.merged(facts) if old else facts
                self._db.execute("INSERT OR REPLACE INTO facts VALUES(?, ?)", (facts.repo, merged.model_dump_json()))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return merged

    # reading

    def get_facts(self, repo: str) -> RepoFacts | None:
        rows = self._rows("SELECT doc FROM facts WHERE repo = ?", (repo,))
        return load_facts(rows[0][0], f"facts of {repo}") if rows else None

    def read_postings(self, scope: str | None, terms: list[str], limit: int) -> PostingBatch:
        name = scope if scope is not None else GLOBAL
        marks = ",".join("?" * len(terms))
        stats = self._rows("SELECT n, total_len FROM scope_stats WHERE scope = ?", (name,))
        df = dict(self._rows(f"SELECT term, df FROM term_df WHERE scope = ? AND term IN ({marks})", (name, *terms)))
        postings = {
            term: [
                (i, int(v))
                for i, v in self._rows(
                    "SELECT id, impact FROM postings WHERE scope = ? AND term = ? ORDER BY impact DESC LIMIT ?",
                    (name, term, limit),
                )
            ]
            for term in terms
            if df.get(term, 0) > 0
        }
        n, total = stats[0] if stats else (0, 0)
        return PostingBatch(n_docs=n, total_len=total, df=df, postings=postings)

    def read_meta(self, ids: list[str]) -> dict[str, CandidateMeta]:
        out: dict[str, CandidateMeta] = {}
        if not ids:
            return out
        marks = ",".join("?" * len(ids))
        for exp_id, raw in self._rows(f"SELECT id, meta FROM experiences WHERE id IN ({marks})", ids):
            try:
                out[exp_id] = CandidateMeta.decode(raw)
            except META_ERRORS:
                log.warning("skipping experience %s: corrupt index metadata", exp_id)
        return out

    def load_many(self, ids: list[str]) -> dict[str, Experience]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._rows(f"SELECT id, doc FROM experiences WHERE id IN ({marks})", ids)
        loaded = {i: load_experience(doc, f"{self.location}#{i}") for i, doc in rows}
        return {i: exp for i, exp in loaded.items() if exp is not None}

    def get(self, exp_id: str) -> Experience | None:
        return self.load_many([exp_id]).get(exp_id)

    def recent(self, *, repo: str | None = None, limit: int = 50) -> list[Experience]:
        where, params = ("WHERE repo = ? AND finished_at >= ?", (repo,)) if repo else ("WHERE finished_at >= ?", ())
        rows = self._rows(
            f"SELECT id, doc FROM experiences {where} ORDER BY finished_at DESC, id DESC LIMIT ?",
            (*params, self.not_before(), limit),
        )
        found = (load_experience(doc, f"{self.location}#{i}") for i, doc in rows)
        return [exp for exp in found if exp is not None]

    def iter_all(self, *, repo: str | None = None) -> Iterator[Experience]:
        where, params = ("WHERE repo = ?", (repo,)) if repo else ("", ())
        rows = self._rows(f"SELECT id FROM experiences {where} ORDER BY finished_at, id", params)
        yield from self.load_in_order([r[0] for r in rows])

    def stats(self) -> StoreStats:
        total = self._rows("SELECT count(*) FROM experiences")[0][0]
        repos = dict(self._rows("SELECT repo, count(*) FROM experiences GROUP BY repo ORDER BY repo"))
        statuses = dict(self._rows("SELECT status, count(*) FROM experiences GROUP BY status ORDER BY status"))
        return StoreStats(self.backend, self.location, total, repos, statuses)

    def flush_pending(self) -> int:
        return 0

    def _checkpoint_in_background(self) -> None:
        """Copy the write-ahead log into the database off the writers' path (PASSIVE never blocks them), so an
        `add` never pays for a checkpoint."""
        db = sqlite3.connect(self.location, timeout=OPEN_WAIT_S, isolation_level=None, check_same_thread=False)
        try:
            while not self._stopping.wait(CHECKPOINT_EVERY_S):
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("background checkpoint of %s failed: %s", self.location, exc)
        finally:
            db.close()

    def close(self) -> None:
        self._stopping.set()
        self._checkpointer.join(timeout=10)
        with self._lock:
            self._db.close()
