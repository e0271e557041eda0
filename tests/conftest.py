"""The real services of this test run: `make test` starts them and exports their URLs; a lone pytest run starts
its own. With CI=true a service that cannot be had fails the tests that need it instead of skipping them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from harness.services import Server, ServiceUnavailable, service
from tests.service_fixtures import unavailable


def _service(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        with service(server, tmp_path_factory.mktemp(server)) as url:
            yield url
    except ServiceUnavailable as exc:
        unavailable(str(exc))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _service("redis", tmp_path_factory)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _service("postgres", tmp_path_factory)


def pytest_configure(config: pytest.Config) -> None:
    """Tests that run `locate` start no resident server, which would outlive them; tests of it turn it on."""
    os.environ.setdefault("SWE_TEAM_LOCATE_SERVER_IDLE", "0")
