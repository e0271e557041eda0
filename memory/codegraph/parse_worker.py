"""A parsing worker process: `python -m memory.codegraph.parse_worker ROOT CACHE_DIR` (see parsing.py).

It reads length-prefixed pickled lists of `Job`s on stdin and answers each with a pickled list of `Parsed`, each
file's lexical documents counted too, until stdin closes. Started as its own module rather than through
multiprocessing, it never imports the caller's main script, whatever that script is and however it guards itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from memory.codegraph.cache import RecordCache
from memory.codegraph.parsing import parse_counted, read_message, write_message


def serve(root: Path, cache: RecordCache, requests: IO[bytes], replies: IO[bytes]) -> None:
    while (jobs := read_message(requests)) is not None:
        write_message(replies, [parse_counted(root, job, cache) for job in jobs])


def main() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the replies
    cache = RecordCache(Path(sys.argv[2]) if sys.argv[2] else None)
    serve(Path(sys.argv[1]), cache, sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
