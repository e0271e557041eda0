"""The shared experience store on a plain Redis (no modules): per-repository inverted index in sorted sets,
a capped global index, ranking done client-side. Writes made while the server is away wait on disk."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from memory.experience.analysis import pack_impact
from memory.experience.disk_queue import DiskQueue
from memory.experience.ranking import META_ERRORS, CandidateMeta, PostingBatch, SearchHit, meta_for
from memory.experience.record import Experience, RepoFacts, load_experience, load_facts, repo_key
from memory.experience.store import (
    DEFAULT_KEY_PREFIX,
    IndexedStore,
    MemoryStoreError,
    MemoryUnavailable,
    StoreStats,
)

log = logging.getLogger("swe_team.memory")
GLOBAL_KEEP = 1024
"""Postings kept per term in the global index (the highest-impact ones); search reads 256 of them."""
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
KNOWN_KEYS = ("exp:", "r:", "g:", "facts:", "seq", "ids", "counts")
T = TypeVar("T")


def masked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:****@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class RedisExperienceStore(IndexedStore):
    backend = "redis"

    def __init__(self, client: redis.Redis, *, url: str, prefix: str, ttl_days: float, queue_root: Path) -> None:
        self.client = client
        self.location = f"{masked_url(url)} prefix {prefix!r}"
        self.prefix = prefix
        self.ttl_days = ttl_days
        digest = hashlib.sha1(f"{masked_url(url)}|{prefix}".encode()).hexdigest()[:12]
        self.queue = DiskQueue(queue_root / digest)
        self._warned_down = False

    @classmethod
    def connect(
        cls, url: str, *, prefix: str = DEFAULT_KEY_PREFIX, ttl_days: float = 0.0, queue_root: Path
    ) -> RedisExperienceStore:
        """Connect and ping; `MemoryUnavailable` naming the URL when the server does not answer."""
        if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
            raise MemoryStoreError(f"redis_url {masked_url(url)!r} is not a redis://, rediss:// or unix:// URL")
        client = redis.Redis.from_url(
            url,
            socket_timeout=3.0,
            socket_connect_timeout=3.0,
            retry=Retry(NoBackoff(), 1),
            health_check_interval=0,
        )
        try:
            client.ping()
        except (*UNREACHABLE, OSError) as exc:
            raise MemoryUnavailable(
                f"experience memory: cannot reach Redis at {masked_url(url)} ({exc})",
                hint='start the server or fix redis_url; or use memory = "sqlite" '
                '(memory_fallback = "sqlite" falls back automatically)',
            ) from exc
        except redis.exceptions.ResponseError as exc:
            raise MemoryUnavailable(f"Redis at {masked_url(url)} refused us: {exc}", hint="check the password") from exc
        store = cls(client, url=url, prefix=prefix, ttl_days=ttl_days, queue_root=queue_root)
        store.flush_pending()
        return store

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _online(self, action: Callable[[], T], fallback: Callable[[], T], what: str) -> T:
        """Run `action` after replaying queued writes; with the server away, warn once and use `fallback`."""
        try:
            if self.queue.pending():
                self.queue.drain(self._apply_queued)
            result = action()
            self._warned_down = False
            return result
        except UNREACHABLE as exc:
            if not self._warned_down:
                log.warning("experience memory at %s unreachable (%s): %s", self.location, exc, what)
                self._warned_down = True
            return fallback()

    # writing

    def add(self, exp: Experience) -> str:
        exp = self.redacted(exp)

        def queued() -> str:
            self.queue.put("add", exp.model_dump(mode="json"))
            return exp.id

        return self._online(lambda: self._add_now(exp), queued, "queued the lesson on disk")

    def add_many(self, exps: Iterable[Experience], batch: int = 500) -> int:
        items = [self.redacted(exp) for exp in exps]
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]

            def now(chunk: list[Experience] = chunk) -> str:
                return self._add_now(*chunk)

            def queued(chunk: list[Experience] = chunk) -> str:
                return [self.add(exp) for exp in chunk][-1]

            self._online(now, queued, "queued the lessons on disk")
        return len(items)

    def _add_now(self, *exps: Experience) -> str:
        """Index experiences in one transaction (two round trips in all); returns the last id."""
        first = self.client.pipeline(transaction=False)
        for exp in exps:
            first.hget(self._key("exp", exp.id), "meta")
        first.incrby(self._key("seq"), len(exps))
        if self.ttl_days > 0:
            first.zrangebyscore(self._key("ids"), "-inf", self.not_before(), start=0, num=20)
        replies = first.execute()
        olds, last_docno, expired = replies[: len(exps)], int(replies[len(exps)]), replies[len(exps) + 1 :]
        tx = self.client.pipeline(transaction=True)
        for exp, old_meta in zip(exps, olds, strict=True):
            if old_meta is not None:
                self._unindex(tx, exp.id, old_meta)
        self._index(tx, [(exp, last_docno - len(exps) + 1 + n) for n, exp in enumerate(exps)])
        tx.execute()
        for stale in expired[0] if expired else []:
            self._forget_now(stale.decode())
        return exps[-1].id

    def _index(self, tx: Any, exps: list[tuple[Experience, int]]) -> None:
        """Queue the writes indexing `exps` (experience, docno), grouped per key: fewer commands."""
        zadds: dict[str, dict[str, float]] = defaultdict(dict)
        incrs: Counter[tuple[str, str]] = Counter()
        for exp, docno in exps:
            meta = meta_for(exp)
            rk = repo_key(exp.repo)
            tx.hset(self._key("exp", exp.id), mapping={"doc": exp.to_json(), "meta": meta.encode()})
            for term, tf in meta.tfs.items():
                impact = pack_impact(tf, meta.doc_len, docno)
                zadds[self._key("r", rk, "t", term)][exp.id] = impact
                zadds[self._key("g", "t", term)][exp.id] = impact
                incrs[self._key("g", "df"), term] += 1
            for stats in (self._key("r", rk, "n"), self._key("g", "n")):
                incrs[stats, "n"] += 1
                incrs[stats, "len"] += meta.doc_len
            zadds[self._key("ids")][exp.id] = exp.finished_at
            zadds[self._key("r", rk, "ids")][exp.id] = exp.finished_at
            incrs[self._key("counts"), f"status:{exp.status}"] += 1
            incrs[self._key("counts"), f"repo:{exp.repo}"] += 1
        global_terms = self._key("g", "t", "")
        for key, members in zadds.items():
            tx.zadd(key, members)
            if key.startswith(global_terms):
                tx.zremrangebyrank(key, 0, -(GLOBAL_KEEP + 1))
        for (key, field), amount in incrs.items():
            tx.hincrby(key, field, amount)

    def _unindex(self, tx: Any, exp_id: str, raw_meta: bytes) -> None:
        try:
            meta = CandidateMeta.decode(raw_meta)
        except META_ERRORS:
            log.warning("experience %s had corrupt index metadata; deleting the record only", exp_id)
            tx.delete(self._key("exp", exp_id))
            tx.zrem(self._key("ids"), exp_id)
            return
        rk = repo_key(meta.repo)
        for term in meta.tfs:
            tx.zrem(self._key("r", rk, "t", term), exp_id)
            tx.zrem(self._key("g", "t", term), exp_id)
            tx.hincrby(self._key("g", "df"), term, -1)
        for stats in (self._key("r", rk, "n"), self._key("g", "n")):
            tx.hincrby(stats, "n", -1)
            tx.hincrby(stats, "len", -meta.doc_len)
        tx.delete(self._key("exp", exp_id))
        tx.zrem(self._key("ids"), exp_id)
        tx.zrem(self._key("r", rk, "ids"), exp_id)
        tx.hincrby(self._key("counts"), f"status:{meta.status}", -1)
        tx.hincrby(self._key("counts"), f"repo:{meta.repo}", -1)

    def forget(self, exp_id: str) -> bool:
        def queued() -> bool:
            self.queue.put("forget", {"id": exp_id})
            return True

        return self._online(lambda: self._forget_now(exp_id), queued, "queued the deletion on disk")

    def _forget_now(self, exp_id: str) -> bool:
        try:
            raw = cast("bytes | None", self.client.hget(self._key("exp", exp_id), "meta"))
        except redis.exceptions.ResponseError:
            raw = b"corrupt"
        if raw is None:
            return bool(self.client.zrem(self._key("ids"), exp_id))
        tx = self.client.pipeline(transaction=True)
        self._unindex(tx, exp_id, raw)
        tx.execute()
        return True

    def put_facts(self, facts: RepoFacts) -> RepoFacts:
        def queued() -> RepoFacts:
            self.queue.put("put_facts", facts.model_dump(mode="json"))
            return facts

        return self._online(lambda: self._put_facts_now(facts), queued, "queued the repository facts on disk")

    def _put_facts_now(self, facts: RepoFacts) -> RepoFacts:
        key = self._key("facts", repo_key(facts.repo))
        while True:
            with self.client.pipeline(transaction=True) as tx:
                try:
                    tx.watch(key)  # type: ignore[no-untyped-call]
                    raw = cast("bytes | None", tx.get(key))
                    old = load_facts(raw, key) if raw else None
                    merged = old.merged(facts) if old else facts
                    tx.multi()
                    tx.set(key, merged.model_dump_json())
                    tx.execute()
                    return merged
                except redis.exceptions.WatchError:
                    continue

    def _apply_queued(self, op: str, payload: dict[str, Any]) -> None:
        if op == "add":
            self._add_now(Experience.model_validate(payload))
        elif op == "forget":
            self._forget_now(str(payload["id"]))
        elif op == "put_facts":
            self._put_facts_now(RepoFacts.model_validate(payload))
        else:
            log.warning("ignoring queued memory write with unknown operation %r", op)

    def flush_pending(self) -> int:
        try:
            return self.queue.drain(self._apply_queued)
        except UNREACHABLE:
            return 0

    # reading

    def search(self, query: str, *, repo: str | None = None, k: int = 5) -> list[SearchHit]:
        def offline() -> list[SearchHit]:
            return []

        return self._online(lambda: IndexedStore.search(self, query, repo=repo, k=k), offline, "search found nothing")

    def read_postings(self, scope: str | None, terms: list[str], limit: int) -> PostingBatch:
        pipe = self.client.pipeline(transaction=False)
        base = ("r", scope) if scope is not None else ("g",)
        pipe.hmget(self._key(*base, "n"), ["n", "len"])
        if scope is None:
            pipe.hmget(self._key("g", "df"), terms)
        for term in terms:
            if scope is not None:
                pipe.zcard(self._key(*base, "t", term))
            pipe.zrevrange(self._key(*base, "t", term), 0, limit - 1, withscores=True)
        replies = pipe.execute(raise_on_error=False)
        n, total = (int(v or 0) for v in replies[0])
        postings: dict[str, list[tuple[str, int]]] = {}
        df: dict[str, int] = {}
        if scope is None:
            df = {t: int(v or 0) for t, v in zip(terms, replies[1], strict=True)}
            lists = replies[2:]
        else:
            df = {t: int(c) if isinstance(c, int) else 0 for t, c in zip(terms, replies[1::2], strict=True)}
            lists = replies[2::2]
        for term, entries in zip(terms, lists, strict=True):
            if isinstance(entries, Exception):
                log.warning("skipping index key for term %r: %s", term, entries)
                df[term] = 0
                continue
            postings[term] = [(member.decode(), int(score)) for member, score in entries]
        return PostingBatch(n_docs=n, total_len=total, df=df, postings=postings)

    def _hget_each(self, ids: list[str], field: str) -> list[Any]:
        """`field` of each experience hash, in one round trip; a failed read is its exception, not raised."""
        pipe = self.client.pipeline(transaction=False)
        for exp_id in ids:
            pipe.hget(self._key("exp", exp_id), field)
        replies: list[Any] = pipe.execute(raise_on_error=False)
        return replies

    def read_meta(self, ids: list[str]) -> dict[str, CandidateMeta]:
        out: dict[str, CandidateMeta] = {}
        for exp_id, raw in zip(ids, self._hget_each(ids, "meta"), strict=True):
            if raw is None:
                continue
            try:
                if isinstance(raw, Exception):
                    raise ValueError(raw)
                out[exp_id] = CandidateMeta.decode(raw)
            except META_ERRORS as exc:
                log.warning("skipping corrupt key %s: %s", self._key("exp", exp_id), exc)
        return out

    def load_many(self, ids: list[str]) -> dict[str, Experience]:
        out: dict[str, Experience] = {}
        for exp_id, raw in zip(ids, self._hget_each(ids, "doc"), strict=True):
            key = self._key("exp", exp_id)
            if isinstance(raw, Exception):
                log.warning("skipping corrupt key %s: %s", key, raw)
            elif raw is not None and (exp := load_experience(raw, key)) is not None:
                out[exp_id] = exp
        return out

    def get(self, exp_id: str) -> Experience | None:
        return self._online(lambda: self.load_many([exp_id]).get(exp_id), lambda: None, "cannot read the lesson")

    def get_facts(self, repo: str) -> RepoFacts | None:
        key = self._key("facts", repo_key(repo))

        def read() -> RepoFacts | None:
            raw = cast("bytes | None", self.client.get(key))
            return load_facts(raw, key) if raw else None

        return self._online(read, lambda: None, "no repository facts this time")

    def _ids(self, repo: str | None, newest_first: bool, limit: int) -> list[str]:
        key = self._key("r", repo_key(repo), "ids") if repo else self._key("ids")
        cutoff = self.not_before()
        if newest_first:
            raw = self.client.zrevrangebyscore(key, "+inf", cutoff, start=0, num=limit)
        else:
            raw = self.client.zrangebyscore(key, cutoff, "+inf", start=0, num=limit)
        return [m.decode() for m in raw]

    def _offline_read(self) -> Any:
        raise MemoryUnavailable(f"experience memory at {self.location} is unreachable", hint="start the server")

    def recent(self, *, repo: str | None = None, limit: int = 50) -> list[Experience]:
        def read() -> list[Experience]:
            return list(self.load_in_order(self._ids(repo, True, limit)))

        result: list[Experience] = self._online(read, self._offline_read, "cannot list lessons")
        return result

    def iter_all(self, *, repo: str | None = None) -> Iterator[Experience]:
        ids: list[str] = self._online(lambda: self._ids(repo, False, -1), self._offline_read, "cannot export")
        yield from self.load_in_order(ids)

    def stats(self) -> StoreStats:
        def read() -> StoreStats:
            raw_counts = cast("dict[bytes, bytes]", self.client.hgetall(self._key("counts")))
            counts = {k.decode(): int(v) for k, v in raw_counts.items()}
            names = (k.decode(errors="replace") for k in self.client.scan_iter(match=f"{self.prefix}:*", count=1000))
            foreign = [name for name in names if not name[len(self.prefix) + 1 :].startswith(KNOWN_KEYS)]
            if foreign:
                log.warning("skipping %d foreign keys under %r, e.g. %s", len(foreign), self.prefix, foreign[:3])
            return StoreStats(
                self.backend,
                self.location,
                cast(int, self.client.zcard(self._key("ids"))),
                repos={k[5:]: v for k, v in sorted(counts.items()) if k.startswith("repo:") and v > 0},
                by_status={k[7:]: v for k, v in sorted(counts.items()) if k.startswith("status:") and v > 0},
                pending_writes=len(self.queue),
                skipped_keys=len(foreign),
            )

        result: StoreStats = self._online(read, self._offline_read, "cannot read statistics")
        return result

    def close(self) -> None:
        self.client.close()
