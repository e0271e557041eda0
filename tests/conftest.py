"""The real services of this test run: `make test` starts them and exports their URLs; a lone pytest run starts
its own. With CI=true a service that cannot be had fails the tests that need it instead of skipping them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service_fixtures import POSTGRES_SCRIPT, REDIS_SCRIPT, start_server, stop_server


def _service(env_var: str, script: str, run_dir: Path) -> Iterator[str]:
    given = os.environ.get(env_var)
    if given:
        yield given
        return
    url = start_server(script, run_dir)
    try:
        yield url
    finally:
        stop_server(script, run_dir)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _service("SWE_TEAM_TEST_REDIS_URL", REDIS_SCRIPT, tmp_path_factory.mktemp("redis"))


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _service("SWE_TEAM_TEST_POSTGRES_URL", POSTGRES_SCRIPT, tmp_path_factory.mktemp("postgres"))
