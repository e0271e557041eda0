"""The real services of this test run: `make test` starts them and exports their URLs; a lone pytest run starts
its own. With CI=true a service that cannot be had fails the tests that need it instead of skipping them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _service(kind: str, env_var: str, script: str, run_dir: Path) -> Iterator[str]:
    given = os.environ.get(env_var)
    if given:
        yield given
        return
    started = subprocess.run([str(SCRIPTS / script), "start", str(run_dir)], capture_output=True, text=True)
    if started.returncode != 0:
        message = f"no {kind} server for the tests: {started.stderr.strip()[-300:]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(SCRIPTS / script), "stop", str(run_dir)], capture_output=True)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _service("Redis", "SWE_TEAM_TEST_REDIS_URL", "redis-test-server.sh", tmp_path_factory.mktemp("redis"))


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _service(
        "PostgreSQL", "SWE_TEAM_TEST_POSTGRES_URL", "postgres-test-server.sh", tmp_path_factory.mktemp("postgres")
    )
