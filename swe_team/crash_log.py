"""A crash of the interpreter itself (a segfault or abort in a native library) leaves the Python stack of every
thread in the job folder, and the next `resume` says so: without it such a job just stops, with nothing to report."""

from __future__ import annotations

import faulthandler
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CRASH_LOG = "crash.log"


@contextmanager
def native_crash_log(job_dir: Path) -> Iterator[None]:
    """While the block runs, a fatal signal writes every thread's stack to the job's crash log; a log left empty is
    removed."""
    path = job_dir / CRASH_LOG
    with path.open("a", encoding="utf-8") as log:
        faulthandler.enable(log, all_threads=True)
        try:
            yield
        finally:
            faulthandler.disable()
    if path.stat().st_size == 0:
        path.unlink()


def earlier_crash(job_dir: Path) -> str:
    """A note on the crash log an earlier run left (kept under a name of its own, so it is reported once); '' when
    there is none."""
    path = job_dir / CRASH_LOG
    if not path.is_file():
        return ""
    if path.stat().st_size == 0:  # killed (kill -9, the machine stopped): nothing was written
        path.unlink()
        return ""
    kept = path.with_name(f"crash-{time.strftime('%Y%m%d-%H%M%S')}.log")
    path.rename(kept)
    return (
        f"the last run of this job crashed inside a native library (a segfault or an abort), not in swe-team's "
        f"Python code: every thread's stack is in {kept}; please attach it to a bug report"
    )
