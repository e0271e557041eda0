"""Throwaway Redis and PostgreSQL servers (scripts/*-test-server.sh), and the rule for a service that cannot be
had: what needs it is skipped, saying why, except under CI=true, where it fails (CI must run everything)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
Server = Literal["redis", "postgres"]
# The start script of each server, and the variable where `make test` and `make bench` put the URL of theirs.
SERVERS: dict[Server, tuple[str, str]] = {
    "redis": ("redis-test-server.sh", "SWE_TEAM_TEST_REDIS_URL"),
    "postgres": ("postgres-test-server.sh", "SWE_TEAM_TEST_POSTGRES_URL"),
}


class ServiceUnavailable(Exception):
    """A server could not be started or reached; the message says why."""


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def start_server(server: Server, run_dir: Path, port: int | None = None) -> str:
    """Start a private server in `run_dir` and return its URL."""
    script = SERVERS[server][0]
    args = ["bash", str(SCRIPTS / script), "start", str(run_dir), *([str(port)] if port else [])]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise ServiceUnavailable(f"no server from scripts/{script}: {done.stderr.strip()[-400:]}")
    return done.stdout.strip().splitlines()[-1]


def stop_server(server: Server, run_dir: Path) -> None:
    script = SCRIPTS / SERVERS[server][0]
    subprocess.run(["bash", str(script), "stop", str(run_dir)], capture_output=True, timeout=120, check=False)


@contextmanager
def service(server: Server, run_dir: Path) -> Iterator[str]:
    """The URL of the run's server (from its variable), else of a private one for the block."""
    given = os.environ.get(SERVERS[server][1])
    if given:
        yield given
        return
    url = start_server(server, run_dir)
    try:
        yield url
    finally:
        stop_server(server, run_dir)


def run_unless_unavailable(main: Callable[[], None]) -> None:
    """A benchmark's `main`: a service it cannot have ends it with a note (exit 0), or with an error under CI=true."""
    try:
        main()
    except ServiceUnavailable as exc:
        if in_ci():
            sys.exit(f"CI=true and {exc}")
        print(f"skipped: {exc}", file=sys.stderr)
