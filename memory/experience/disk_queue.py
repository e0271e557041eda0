"""Writes that could not reach the server, kept as one JSON file each until they can be replayed in order."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger("swe_team.memory")


class DiskQueue:
    """A directory of `<time_ns>-<pid>-<random>.json` entries; safe for several processes on one machine."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def put(self, op: str, payload: dict[str, Any]) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{os.urandom(3).hex()}.json"
        final = self.directory / name
        temp = self.directory / f".{name}.tmp"
        with temp.open("w", encoding="utf-8") as handle:
            json.dump({"op": op, "payload": payload}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
        return final

    def pending(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.suffix == ".json" and not p.name.startswith("."))

    def __len__(self) -> int:
        return len(self.pending())

    @contextmanager
    def _exclusive(self) -> Iterator[bool]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / ".lock").open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def drain(self, apply: Callable[[str, dict[str, Any]], None]) -> int:
        """Apply entries oldest first, deleting each once applied. `apply` raising stops the drain (the entry
        stays). Returns how many were applied; 0 when another process is draining."""
        done = 0
        with self._exclusive() as mine:
            if not mine:
                return 0
            for path in self.pending():
                try:
                    entry = json.loads(path.read_text(encoding="utf-8"))
                    op, payload = str(entry["op"]), dict(entry["payload"])
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    log.warning("dropping unreadable queued memory write %s: %s", path, exc)
                    path.rename(path.with_suffix(".bad"))
                    continue
                apply(op, payload)
                path.unlink(missing_ok=True)
                done += 1
        return done
