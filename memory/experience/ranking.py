"""Ranking shared by every backend: BM25 over the indexed text, times outcome weight, times recency.

A backend only answers three questions (`IndexReader`): the postings of some terms in a scope, the metadata of
some candidates, and the records of the winners. The ranking itself — and so its determinism — lives here.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from typing import Literal, Protocol

from memory.experience.analysis import term_frequencies, unpack_impact
from memory.experience.record import Experience

log = logging.getLogger("swe_team.memory")

K1 = 1.2
B = 0.75
REPO_POSTINGS_LIMIT = 2000
"""Postings read per term in a repository scope (all of them below this size)."""
GLOBAL_POSTINGS_LIMIT = 256
"""Postings read per term in the global scope: the highest-impact ones."""
RECENCY_HALF_LIFE_DAYS = 60.0
META_ERRORS = (ValueError, KeyError, TypeError)
"""What `CandidateMeta.decode` raises for stored metadata that is corrupt."""
LessonKind = Literal["do", "avoid", "note"]


def lesson_kind(exp: Experience) -> LessonKind:
    if exp.status == "resolved":
        return "do"
    if exp.status == "rejected" or (
        exp.status in ("unresolved", "failed") and (exp.changed_files or exp.change_summary)
    ):
        return "avoid"
    return "note"


def outcome_weight(exp: Experience) -> float:
    """Resolved+approved above auto-resolved, above rejections, above failures."""
    if exp.status == "resolved":
        return 1.0 if exp.human_approved else 0.9
    if exp.status == "rejected":
        return 0.75
    return 0.55 if lesson_kind(exp) == "avoid" else 0.5


def recency_factor(finished_at: float, newest: float) -> float:
    age_days = max(0.0, newest - finished_at) / 86400.0
    return float(0.85 + 0.15 * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS))


@dataclass(frozen=True)
class CandidateMeta:
    """What ranking needs of one experience without loading the whole record."""

    repo: str
    status: str
    weight: float
    kind: LessonKind
    finished_at: float
    doc_len: int
    tfs: dict[str, int]

    def encode(self) -> str:
        return json.dumps(
            {
                "r": self.repo,
                "s": self.status,
                "w": self.weight,
                "k": self.kind,
                "t": self.finished_at,
                "l": self.doc_len,
                "f": self.tfs,
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @staticmethod
    def decode(raw: str | bytes) -> CandidateMeta:
        data = json.loads(raw)
        return CandidateMeta(
            repo=str(data["r"]),
            status=str(data["s"]),
            weight=float(data["w"]),
            kind=data["k"],
            finished_at=float(data["t"]),
            doc_len=int(data["l"]),
            tfs={str(k): int(v) for k, v in data["f"].items()},
        )


@dataclass(frozen=True)
class PostingBatch:
    """Postings of the query terms in one scope, with the statistics BM25 needs."""

    n_docs: int
    total_len: int
    df: dict[str, int]
    postings: dict[str, list[tuple[str, int]]]
    """term → [(experience id, packed impact)], highest impact first."""


@dataclass(frozen=True)
class SearchHit:
    experience: Experience
    score: float
    relevance: float
    """The BM25 part of the score."""
    kind: LessonKind
    scope: Literal["repo", "global"]
    matched_terms: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.experience.id


@dataclass(frozen=True)
class RankedId:
    id: str
    score: float
    relevance: float
    kind: LessonKind
    matched_terms: list[str]


class IndexReader(Protocol):
    def read_postings(self, scope: str | None, terms: list[str], limit: int) -> PostingBatch: ...

    def read_meta(self, ids: list[str]) -> dict[str, CandidateMeta]: ...


def _idf(n_docs: int, df: int) -> float:
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def _term_score(tf: int, doc_len: int, avgdl: float) -> float:
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * doc_len / avgdl))


def rank_scope(
    reader: IndexReader,
    scope: str | None,
    terms: list[str],
    k: int,
    exclude: set[str],
    not_before: float = 0.0,
) -> list[RankedId]:
    """Top `k` ids of one scope (a repository key, or None for all repositories), best first, ties by id."""
    if not terms or k <= 0:
        return []
    limit = REPO_POSTINGS_LIMIT if scope is not None else GLOBAL_POSTINGS_LIMIT
    batch = reader.read_postings(scope, terms, limit)
    if batch.n_docs <= 0:
        return []
    avgdl = max(batch.total_len / batch.n_docs, 1.0)
    idf = {t: _idf(batch.n_docs, batch.df.get(t, 0)) for t in terms if batch.df.get(t, 0) > 0}
    approx: dict[str, float] = {}
    for term, postings in batch.postings.items():
        weight = idf.get(term)
        if weight is None:
            continue
        for exp_id, impact in postings:
            if exp_id in exclude:
                continue
            tf, doc_len = unpack_impact(impact)
            approx[exp_id] = approx.get(exp_id, 0.0) + weight * _term_score(tf, doc_len, avgdl)
    shortlist = sorted(approx, key=lambda i: (-approx[i], i))[: max(4 * k, 32)]
    metas = reader.read_meta(shortlist)
    live = {i: m for i, m in metas.items() if m.finished_at >= not_before}
    if not live:
        return []
    newest = max(m.finished_at for m in live.values())
    ranked: list[RankedId] = []
    for exp_id, meta in live.items():
        matched = [t for t in terms if t in idf and meta.tfs.get(t, 0) > 0]
        relevance = sum(idf[t] * _term_score(meta.tfs[t], meta.doc_len, avgdl) for t in matched)
        if relevance <= 0:
            continue
        score = relevance * meta.weight * recency_factor(meta.finished_at, newest)
        ranked.append(RankedId(exp_id, round(score, 9), relevance, meta.kind, matched))
    ranked.sort(key=lambda r: (-r.score, r.id))
    return ranked[:k]


def meta_for(exp: Experience) -> CandidateMeta:
    """What the index stores of `exp`: its term frequencies, length, outcome weight and lesson kind."""
    tfs, doc_len = term_frequencies(exp)
    return CandidateMeta(
        repo=exp.repo,
        status=exp.status,
        weight=outcome_weight(exp),
        kind=lesson_kind(exp),
        finished_at=exp.finished_at,
        doc_len=doc_len,
        tfs=dict(sorted(tfs.items())),
    )
