"""Seconds per named step, for `swe-team index --profile` and `swe-team locate --profile`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stopwatch:
    """Adds the wall time spent inside `with watch.step(name):` to `phases[name]` and this process's CPU time to
    `cpu[name]` (steps may repeat). On a busy machine the two differ; waiting for worker processes is wall only."""

    def __init__(self, phases: dict[str, float] | None = None, cpu: dict[str, float] | None = None) -> None:
        self.phases: dict[str, float] = phases if phases is not None else {}
        self.cpu: dict[str, float] = cpu if cpu is not None else {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - started
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - started_cpu
