"""Python's cyclic garbage collector paused while the code graph allocates or reads its large tables.

A graph of a large repository is hundreds of thousands of small dicts, tuples and strings without reference
cycles. Every collection triggered while they are being made walks all of them and frees nothing: on sympy that
was a third of a warm `swe-team locate`'s CPU time. Memory without cycles is still freed as usual meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic collection inside the block (nested blocks keep it paused); the previous state after it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
