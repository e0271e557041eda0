"""The tests' side of the rule for a service that cannot be had (harness.services): skip, or fail when CI=true."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest

from harness.services import ServiceUnavailable, in_ci, start_server, stop_server


def unavailable(reason: str) -> NoReturn:
    """Skip the test for want of `reason`; fail it instead when CI=true."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def start_redis(run_dir: Path, port: int | None = None) -> str:
    try:
        return start_server("redis", run_dir, port)
    except ServiceUnavailable as exc:
        unavailable(str(exc))


def stop_redis(run_dir: Path) -> None:
    stop_server("redis", run_dir)
