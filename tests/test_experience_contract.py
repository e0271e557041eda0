"""One contract, two backends: every test runs on SQLite and on a real Redis server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from memory.experience import Experience, RepoFacts, format_lessons, open_store
from memory.experience.store import ExperienceStore
from tests.experience_fixtures import approved, lesson, make_store, settings_for

SHOP = "github.com/acme/shop"
BLOG = "github.com/acme/blog"


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ExperienceStore]:
    url = request.getfixturevalue("redis_url") if backend == "redis" else ""
    opened = make_store(tmp_path, backend, url)
    yield opened
    opened.close()


def test_added_lesson_reads_back_whole(store: ExperienceStore) -> None:
    exp = lesson(
        SHOP,
        "checkout fails on empty cart",
        kind="bug",
        localized_files=["shop/cart.py"],
        localized_symbols=["Cart.total"],
        changed_files=["shop/cart.py"],
        change_summary="guard empty cart",
        test_outcome="passed",
        review_objections=["name the guard"],
        decisions=approved(),
        classification={"kind": "bug", "priority": "high"},
    )
    assert store.add(exp) == exp.id
    assert store.get(exp.id) == exp
    assert store.get("does-not-exist") is None


def test_search_finds_the_relevant_lesson_first(store: ExperienceStore) -> None:
    target = lesson(
        SHOP, "checkout crashes with ZeroDivisionError on empty cart", localized_symbols=["Cart.total"]
    )
    store.add(target)
    store.add(lesson(SHOP, "add dark mode to the settings page", changed_files=["web/theme.css"]))
    store.add(lesson(SHOP, "login form rejects long passwords", localized_symbols=["Auth.validate"]))
    hits = store.search("empty cart checkout divides by zero in Cart.total", repo=SHOP, k=3)
    assert hits[0].id == target.id
    assert hits[0].scope == "repo"
    assert "cart" in hits[0].matched_terms
    assert store.search("quantum chromodynamics", repo=SHOP) == []


def test_repository_lessons_come_before_global_ones(store: ExperienceStore) -> None:
    other = lesson(BLOG, "pagination breaks on the last page of posts", decisions=approved())
    own = lesson(SHOP, "pagination of orders shows an empty page", status="unresolved")
    store.add(other)
    store.add(own)
    hits = store.search("pagination breaks on the last page", repo=SHOP, k=5)
    assert [(h.id, h.scope) for h in hits] == [(own.id, "repo"), (other.id, "global")]
    assert [h.id for h in store.search("pagination breaks on the last page", k=5)] == [other.id, own.id]


def test_outcome_orders_equal_matches_and_rejections_are_avoid_lessons(store: ExperienceStore) -> None:
    text = "cache invalidation misses product price updates"
    failed = lesson(
        SHOP, text, status="failed", changed_files=["shop/cache.py"], change_summary="flush all caches"
    )
    rejected = lesson(
        SHOP, text, status="rejected", changed_files=["shop/cache.py"], change_summary="disable cache"
    )
    auto = lesson(SHOP, text, status="resolved")
    good = lesson(SHOP, text, status="resolved", decisions=approved())
    for exp in (failed, rejected, auto, good):
        store.add(exp)
    hits = store.search(text, repo=SHOP, k=4)
    assert [h.id for h in hits] == [good.id, auto.id, rejected.id, failed.id]
    assert [h.kind for h in hits] == ["do", "do", "avoid", "avoid"]
    assert "[L3 avoid · rejected" in format_lessons(hits)


def test_newer_lessons_rank_above_older_equal_ones(store: ExperienceStore) -> None:
    old = lesson(SHOP, "flaky test in payment webhook", days_ago=200)
    new = lesson(SHOP, "flaky test in payment webhook", days_ago=1)
    store.add(old)
    store.add(new)
    assert [h.id for h in store.search("payment webhook flaky", repo=SHOP)] == [new.id, old.id]


def test_search_is_deterministic_and_same_on_both_backends(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("redis_url")
    stores = [make_store(tmp_path / "a", "sqlite", ""), make_store(tmp_path / "b", "redis", url)]
    words = ["cart", "order", "price", "tax", "coupon", "invoice", "refund", "stock"]
    lessons = [
        lesson(
            SHOP if i % 3 else BLOG,
            f"{words[i % 8]} {words[(i * 3) % 8]} bug in module{i % 5}",
            days_ago=i % 7,
        )
        for i in range(60)
    ]
    results = []
    for store in stores:
        for exp in lessons:
            store.add(exp)
        first = [(h.id, h.score) for h in store.search("cart price bug module2", repo=SHOP, k=8)]
        assert first == [(h.id, h.score) for h in store.search("cart price bug module2", repo=SHOP, k=8)]
        results.append([i for i, _ in first])
        store.close()
    assert results[0] == results[1]
    assert len(results[0]) == 8


def test_forget_and_replace_keep_the_index_exact(store: ExperienceStore) -> None:
    exp = lesson(SHOP, "currency rounding error in invoices")
    store.add(exp)
    store.add(exp.model_copy(update={"task": "currency rounding error in refunds"}))
    assert store.stats().experiences == 1
    assert [h.id for h in store.search("refunds rounding", repo=SHOP)] == [exp.id]
    assert store.search("invoices", repo=SHOP) == []
    assert store.forget(exp.id)
    assert store.search("currency rounding", repo=SHOP) == []
    assert store.get(exp.id) is None
    assert store.stats().experiences == 0


def test_recent_lists_newest_first_per_repository(store: ExperienceStore) -> None:
    exps = [lesson(SHOP, f"task {i}", days_ago=i) for i in range(3)] + [lesson(BLOG, "blog task")]
    for exp in exps:
        store.add(exp)
    assert [e.id for e in store.recent(repo=SHOP)] == [exps[0].id, exps[1].id, exps[2].id]
    assert len(store.recent(limit=2)) == 2
    stats = store.stats()
    assert stats.repos == {BLOG: 1, SHOP: 3}
    assert stats.by_status == {"resolved": 4}


def test_repository_facts_merge(store: ExperienceStore) -> None:
    assert store.get_facts(SHOP) is None
    store.put_facts(RepoFacts(repo=SHOP, test_command="pytest -q", slow_tests=["tests/test_big.py"]))
    merged = store.put_facts(RepoFacts(repo=SHOP, flaky_tests=["tests/test_net.py::test_retry"]))
    assert merged == store.get_facts(SHOP)
    assert merged.test_command == "pytest -q"
    assert merged.slow_tests == ["tests/test_big.py"]
    assert merged.flaky_tests == ["tests/test_net.py::test_retry"]


def test_lessons_older_than_the_ttl_disappear(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("redis_url") if backend == "redis" else ""
    prefix = f"ttl:{os.getpid()}:{tmp_path.name}"
    store = open_store(settings_for(tmp_path, backend, url), key_prefix=prefix, ttl_days=30.0)
    store.add(Experience(repo=SHOP, task="stale lesson about tax", finished_at=0.0, created_at=0.0))
    fresh = Experience(repo=SHOP, task="fresh lesson about tax")
    store.add(fresh)
    assert [h.id for h in store.search("tax lesson", repo=SHOP)] == [fresh.id]
    assert [e.id for e in store.recent()] == [fresh.id]
    store.close()


WRITER = """
import sys
from pathlib import Path
from memory.experience import Experience, open_store
from core.settings import Settings
home, backend, url, prefix, tag = sys.argv[1:6]
extra = {"redis_url": url} if url else {}
store = open_store(Settings(home=Path(home), memory=backend, **extra), key_prefix=prefix)
for i in range(150):
    store.add(Experience(repo="github.com/acme/shop", task=f"concurrent lesson {tag} number {i}"))
"""


def test_two_processes_writing_at_once_lose_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("redis_url") if backend == "redis" else ""
    prefix = f"conc:{os.getpid()}:{tmp_path.name}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), backend, url, prefix, tag], env=env)
        for tag in ("alpha", "beta")
    ]
    assert [w.wait(timeout=300) for w in writers] == [0, 0]
    store = open_store(settings_for(tmp_path, backend, url), key_prefix=prefix)
    assert store.stats().experiences == 300
    assert len(list(store.iter_all(repo=SHOP))) == 300
    hits = store.search("concurrent lesson beta number 17", repo=SHOP, k=1)
    assert hits[0].experience.task == "concurrent lesson beta number 17"
    store.close()
