"""The code graphs a resident server keeps, as the child answering a command finds them.

Outside a server nothing is kept and `kept_graph` returns None. In the child, a kept graph is caught up with the
files on disk (only those whose stat signature changed are read) and returned; every graph the child asked for is
reported to the server, which then brings its own copy up to date, or builds and keeps it for the next command.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memory.codegraph import CodeGraph

GraphKey = tuple[str, tuple[str, ...] | None, str]
"""Repository root, languages (None: every one), record cache folder."""
KEPT_AT_MOST = 4
"""Graphs a server keeps; the one used longest ago goes first (sympy's is about 400 MB)."""
CATCH_UP_STEP = "resident graph: catch up"
WARM_UP_ISSUE = """`check(option="value")` fails with "a quoted message" when given --verbose

Traceback (most recent call last):
  File "module.py", line 1, in main
ValueError: a quoted message
"""
"""Located by the server after each change, so that what the localizer builds on first use per graph version (the
source texts, their quoted strings) is built once there, not again in every child."""

kept: OrderedDict[GraphKey, CodeGraph] = OrderedDict()
report_fd: int | None = None
"""The pipe to the server, set in the child that answers a command."""


def in_server() -> bool:
    return report_fd is not None


def graph_key(root: Path, languages: list[str] | None) -> GraphKey:
    from memory.codegraph.cache import default_cache_dir

    return str(root.expanduser().resolve()), tuple(sorted(languages)) if languages else None, str(default_cache_dir())


def kept_graph(root: Path, languages: list[str] | None) -> CodeGraph | None:
    """In a server's child: the kept graph of `root`, caught up with its files; else None."""
    if report_fd is None:
        return None
    from memory.codegraph.timing import Stopwatch

    key = graph_key(root, languages)
    os.write(report_fd, (json.dumps(key) + "\n").encode())
    graph = kept.get(key)
    if graph is None or not Path(key[0]).is_dir():
        return None
    graph.stats.phases, graph.stats.phases_cpu = {}, {}
    with Stopwatch(graph.stats.phases, graph.stats.phases_cpu).step(CATCH_UP_STEP):
        graph.refresh(trust_signatures=True)
    return graph


def keep_up_to_date(keys: list[GraphKey]) -> None:
    """In the server, after a child answered: each graph it used caught up (or built), and located once."""
    from memory.codegraph import CodeGraph, localize

    for key in dict.fromkeys(keys):
        root, languages, cache = key
        if not Path(root).is_dir():
            kept.pop(key, None)
            continue
        graph = kept.pop(key, None)
        if graph is None:
            graph = CodeGraph.build(root, languages=languages, cache_dir=Path(cache))
        else:
            graph.refresh(trust_signatures=True)
        localize(graph, WARM_UP_ISSUE)
        kept[key] = graph
        while len(kept) > KEPT_AT_MOST:
            kept.popitem(last=False)


def read_report(fd: int) -> list[GraphKey]:
    """The graph keys a child wrote to its end of the pipe (read after it exited)."""
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    keys: list[GraphKey] = []
    for line in data.decode().splitlines():
        root, languages, cache = json.loads(line)
        keys.append((root, tuple(languages) if languages else None, cache))
    return keys
