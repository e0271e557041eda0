"""The `ExperienceStore` contract and the indexed search both backends share."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from core.errors import SweTeamError
from core.redaction import Redactor
from memory.experience.analysis import query_terms
from memory.experience.ranking import CandidateMeta, PostingBatch, RankedId, SearchHit, rank_scope
from memory.experience.record import Experience, RepoFacts, repo_key

DEFAULT_KEY_PREFIX = "swe-team:mem"


class MemoryStoreError(SweTeamError):
    """The experience store cannot be opened or used."""


class MemoryUnavailable(MemoryStoreError):
    """The configured experience store does not answer."""


@dataclass
class StoreStats:
    backend: str
    location: str
    experiences: int
    repos: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    pending_writes: int = 0
    """Writes queued on disk while the server was unreachable."""
    skipped_keys: int = 0
    """Corrupt or foreign entries found under the store's prefix."""


class ExperienceStore(Protocol):
    """Where lessons are written at finalize and read at intake. Safe from several processes at once."""

    backend: str
    location: str

    def add(self, exp: Experience) -> str:
        """Store (or replace, same id) one experience; returns its id. Never loses a write: when a server is
        unreachable mid-job the write is queued on disk and replayed when it answers again."""
        ...

    def add_many(self, exps: Iterable[Experience]) -> int:
        """Bulk `add` (imports, benchmarks): batched into few round trips; returns how many were stored."""
        ...

    def get(self, exp_id: str) -> Experience | None: ...

    def search(self, query: str, *, repo: str | None = None, k: int = 5) -> list[SearchHit]:
        """Best `k` lessons for `query`: the repository's own first, then others'. Deterministic."""
        ...

    def recent(self, *, repo: str | None = None, limit: int = 50) -> list[Experience]:
        """Newest first."""
        ...

    def iter_all(self, *, repo: str | None = None) -> Iterator[Experience]: ...

    def forget(self, exp_id: str) -> bool: ...

    def get_facts(self, repo: str) -> RepoFacts | None: ...

    def put_facts(self, facts: RepoFacts) -> RepoFacts:
        """Merge `facts` into what is stored for the repository; returns the merged facts."""
        ...

    def stats(self) -> StoreStats: ...

    def flush_pending(self) -> int:
        """Replay writes queued while the server was away; returns how many were written."""
        ...

    def close(self) -> None: ...


class IndexedStore(ABC):
    """Search shared by the backends, which provide postings, candidate metadata and records."""

    backend: str = ""
    location: str = ""
    ttl_days: float = 0.0
    redactor: Redactor | None = None
    """Replaces secrets in every lesson before it is indexed or written (`open_store` sets the configured one;
    None means the default rules)."""

    def redacted(self, exp: Experience) -> Experience:
        """`exp` with every text field redacted: no secret reaches the store, its index or its disk queue."""
        if self.redactor is None:
            self.redactor = Redactor()
        return Experience.model_validate(self.redactor.data(exp.model_dump(mode="json")))

    @abstractmethod
    def read_postings(self, scope: str | None, terms: list[str], limit: int) -> PostingBatch: ...

    @abstractmethod
    def read_meta(self, ids: list[str]) -> dict[str, CandidateMeta]: ...

    @abstractmethod
    def load_many(self, ids: list[str]) -> dict[str, Experience]: ...

    def load_in_order(self, ids: list[str], chunk: int = 500) -> Iterator[Experience]:
        """The records of `ids` in that order, read `chunk` at a time; missing or corrupt ones are skipped."""
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            loaded = self.load_many(part)
            yield from (loaded[i] for i in part if i in loaded)

    def not_before(self) -> float:
        return time.time() - self.ttl_days * 86400.0 if self.ttl_days > 0 else 0.0

    def search(self, query: str, *, repo: str | None = None, k: int = 5) -> list[SearchHit]:
        terms = query_terms(query)
        cutoff = self.not_before()
        ranked: list[tuple[RankedId, Literal["repo", "global"]]] = []
        if repo is not None:
            ranked = [(r, "repo") for r in rank_scope(self, repo_key(repo), terms, k, set(), cutoff)]
        if len(ranked) < k:
            seen = {r.id for r, _ in ranked}
            ranked += [(r, "global") for r in rank_scope(self, None, terms, k - len(ranked), seen, cutoff)]
        docs = self.load_many([r.id for r, _ in ranked])
        return [
            SearchHit(docs[r.id], r.score, r.relevance, r.kind, scope, r.matched_terms)
            for r, scope in ranked
            if r.id in docs
        ]
