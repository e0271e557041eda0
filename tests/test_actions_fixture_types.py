"""rename_symbol and change_signature on a method called through parameters whose type rope does not infer: two
classes share the method's name, so a parameter's annotation, or for a test's parameter the fixture of its name,
decides which one a call reaches."""

from __future__ import annotations

from pathlib import Path

from tests.actions_fixtures import action_bench

STORE = (
    "class Store:\n    def fetch(self, key):\n        return key\n\n\n"
    "class BigStore(Store):\n    pass\n\n\n"
    "class Cache:\n    def fetch(self, key):\n        return None\n"
)
CONFTEST = (
    "from typing import Iterator\n\nimport pytest\n\nfrom app.store import BigStore, Cache, Store\n\n\n"
    "@pytest.fixture\ndef store() -> Store:\n    return Store()\n\n\n"
    '@pytest.fixture(scope="session", name="big")\n'
    'def big_fixture() -> "Iterator[BigStore]":\n    yield BigStore()\n\n\n'
    "@pytest.fixture\ndef cache():\n    return Cache()\n"
)
TESTS = (
    "from app.store import Cache\n\n\n"
    "def test_store(store, cache):\n    assert store.fetch(1) == 1\n    assert cache.fetch(1) is None\n\n\n"
    "class TestBig:\n    def test_big(self, big):\n        assert big.fetch(2) == 2\n\n\n"
    "def test_rebound(store):\n    store = Cache()\n    assert store.fetch(3) is None\n"
)
PARAMETRIZED = (
    "import pytest\n\nfrom app.store import Store\n\n\n"
    '@pytest.mark.parametrize("cache", [Store()])\ndef test_as_cache(cache):\n    assert cache.fetch(4) == 4\n'
)
REPORT = (
    "from typing import Optional\n\nfrom app.store import Cache, Store\n\n\n"
    'def report(store: Store, cache: "Cache | None", maybe: Optional[Store], other):\n'
    "    return store.fetch(5), cache.fetch(6), maybe.fetch(7), other.fetch(8)\n"
)
FILES = {
    "app/__init__.py": "",
    "app/report.py": REPORT,
    "app/store.py": STORE,
    "tests/conftest.py": CONFTEST,
    "tests/test_store.py": TESTS,
    "tests/test_parametrized.py": PARAMETRIZED,
}


def test_a_rename_follows_parameters_annotated_with_the_class_or_filled_by_its_fixture(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, FILES)
    bench.run("rename_symbol", symbol="app/store.py:Store.fetch", new_name="lookup")
    tests = bench.read("tests/test_store.py")
    assert "store.lookup(1) == 1" in tests and "big.lookup(2) == 2" in tests
    assert "cache.fetch(1) is None" in tests and "store.fetch(3) is None" in tests
    assert bench.read("app/store.py").count("def fetch(self, key)") == 1
    assert "store.lookup(5), cache.fetch(6), maybe.lookup(7), other.fetch(8)" in bench.read("app/report.py")


def test_a_rename_of_the_other_class_takes_only_its_own_fixture(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, FILES)
    bench.run("rename_symbol", symbol="app/store.py:Cache.fetch", new_name="peek")
    tests = bench.read("tests/test_store.py")
    assert "cache.peek(1) is None" in tests
    assert "store.fetch(1) == 1" in tests and "big.fetch(2) == 2" in tests
    assert "store.fetch(3) is None" in tests
    assert "cache.fetch(4) == 4" in bench.read("tests/test_parametrized.py")
    assert "store.fetch(5), cache.peek(6), maybe.fetch(7), other.fetch(8)" in bench.read("app/report.py")


def test_a_signature_change_reaches_the_calls_on_fixture_parameters(tmp_path: Path) -> None:
    bench = action_bench(tmp_path, FILES)
    bench.run("change_signature", function="app/store.py:Store.fetch", add=[{"name": "fresh", "value": "False"}])
    tests = bench.read("tests/test_store.py")
    assert "store.fetch(1, False) == 1" in tests and "big.fetch(2, False) == 2" in tests
    assert "cache.fetch(1) is None" in tests and "store.fetch(3) is None" in tests
