"""Fixtures shared across test files: the real Redis server of this test run."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.test_experience_helpers import start_redis, stop_redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make test` starts one server and exports its URL; a lone pytest run starts its own."""
    given = os.environ.get("SWE_TEAM_TEST_REDIS_URL")
    if given:
        yield given
        return
    run_dir = tmp_path_factory.mktemp("redis")
    yield start_redis(run_dir)
    stop_redis(run_dir)
