"""Experience memory at scale: search and add latency on Redis and SQLite, and recall@5 on a synthetic set.

    .venv/bin/python -m benchmarks.bench_memory [--n 100000] [--repos 200] [--quick]

Redis is the one in SWE_TEAM_TEST_REDIS_URL (`make bench` starts it), else a private scripts/redis-test-server.sh.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from harness.services import run_unless_unavailable, service
from memory.experience import Experience, ExperienceStore, HumanDecision
from memory.experience.redis_store import RedisExperienceStore
from memory.experience.sqlite_store import SqliteExperienceStore

_COMMON_TEXT = """
error fails crash wrong missing slow timeout invalid empty null duplicate race leak broken
stale returns raises ignores handler request response config cache session user order payment invoice
report export import upload download parser query index page form field date time zone
locale unicode encoding retry limit total count sort filter search login logout token email
notification queue worker job schedule
"""
COMMON = _COMMON_TEXT.split()
STATUSES = ["resolved"] * 6 + ["unresolved", "rejected", "failed", "failed"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "xe", "zu", "ba", "de", "fi", "go", "hu"]


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def make_corpus(n: int, repos: int, seed: int = 7) -> tuple[list[Experience], list[tuple[str, str, str]]]:
    """`n` experiences; and one (query, repo, right id) per repository for recall."""
    rng = random.Random(seed)
    exps: list[Experience] = []
    per_repo = n // repos
    now = 1_700_000_000.0
    queries: list[tuple[str, str, str]] = []
    for r in range(repos):
        repo = f"git.example/team{r}/{word(rng, 2)}"
        modules = [f"{word(rng, 2)}/{word(rng, 3)}.py" for _ in range(30)]
        symbols = [f"{word(rng, 2).title()}.{word(rng, 2)}_{word(rng, 2)}" for _ in range(60)]
        for i in range(per_repo):
            module, symbol = rng.choice(modules), rng.choice(symbols)
            words = rng.sample(COMMON, 6)
            task = f"{words[0]} {words[1]} in {symbol} when {words[2]} {words[3]}"
            exps.append(
                Experience(
                    id=f"{r:04d}{i:06d}{rng.getrandbits(24):06x}",
                    repo=repo,
                    task=task,
                    kind="bug",
                    status=rng.choice(STATUSES),  # type: ignore[arg-type]
                    localized_files=[module],
                    localized_symbols=[symbol],
                    changed_files=[module],
                    change_summary=f"{words[4]} {words[5]} handled in {symbol.split('.')[-1]}",
                    test_outcome="passed",
                    created_at=now - i * 3600,
                    finished_at=now - i * 3600 + 600,
                    decisions=[HumanDecision(gate="patch", action="approve", proposal="diff", at=now)],
                )
            )
            if i == per_repo // 2:
                target = exps[-1].model_copy(update={"status": "resolved"})
                exps[-1] = target
                noise = rng.choice([w for w in COMMON if w not in task])
                queries.append((f"{symbol} {words[0]} {words[2]} {words[5]} {noise}", repo, target.id))
    return exps, queries


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def timed(calls: list[Callable[[], object]]) -> list[float]:
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def measure(
    name: str, store: ExperienceStore, corpus: list[Experience], queries: list[tuple[str, str, str]]
) -> dict[str, str]:
    start = time.perf_counter()
    store.add_many(corpus)
    load_s = time.perf_counter() - start
    rng = random.Random(1)
    extra = [c.model_copy(update={"id": uuid.uuid4().hex[:20]}) for c in rng.sample(corpus, 300)]
    add = timed([lambda e=e: store.add(e) for e in extra])  # type: ignore[misc]
    repo_search = timed([lambda q=q: store.search(q[0], repo=q[1], k=5) for q in queries * 3])  # type: ignore[misc]
    global_search = timed([lambda q=q: store.search(q[0], k=5) for q in queries])  # type: ignore[misc]
    found = sum(1 for q, repo, right in queries if right in [h.id for h in store.search(q, repo=repo, k=5)])
    return {
        "backend": name,
        "load s": f"{load_s:.1f}",
        "add p50 ms": f"{percentile(add, 0.5):.2f}",
        "add p95 ms": f"{percentile(add, 0.95):.2f}",
        "search p50 ms": f"{percentile(repo_search, 0.5):.2f}",
        "search p95 ms": f"{percentile(repo_search, 0.95):.2f}",
        "global p95 ms": f"{percentile(global_search, 0.95):.2f}",
        "recall@5": f"{found / len(queries):.3f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="2,000 experiences in 20 repositories")
    args = parser.parse_args()
    if args.quick:
        args.n, args.repos = 2_000, 20
    corpus, queries = make_corpus(args.n, args.repos)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        with service("redis", Path(tmp) / "redis") as url:
            prefix = f"bench:{uuid.uuid4().hex[:8]}"
            redis_store = RedisExperienceStore.connect(url, prefix=prefix, queue_root=Path(tmp) / "queue")
            rows.append(measure("redis", redis_store, corpus, queries))
            for key in redis_store.client.scan_iter(match=f"{prefix}:*", count=5000):
                redis_store.client.unlink(key)
            redis_store.close()
        sqlite_store = SqliteExperienceStore(Path(tmp) / "experience.sqlite")
        rows.append(measure("sqlite", sqlite_store, corpus, queries))
        sqlite_store.close()
    print(f"\n{args.n} experiences across {args.repos} repositories; {len(queries)} recall queries")
    headers = list(rows[0])
    widths = [max(len(h), *(len(r[h]) for r in rows)) for h in headers]
    print("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    for row in rows:
        print("  ".join(row[h].rjust(w) for h, w in zip(headers, widths, strict=True)))
    print("goals: search p95 <= 20 ms, add <= 5 ms, recall@5 >= 0.9")


if __name__ == "__main__":
    run_unless_unavailable(main)
