"""The job's trajectory: one JSON line per model call, tool call, node and decision, with full text and timings.

Every value is redacted before it is written (`core.redaction`): a secret in a prompt or a tool's output never
reaches the file."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from core.redaction import Redactor


class Trajectory:
    def __init__(self, path: Path, redactor: Redactor | None = None) -> None:
        self.path = path
        self.redactor = redactor if redactor is not None else Redactor()
        """Shared with the job's model client, so `redactor.counts()` is what the job kept back."""
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, event: str, **fields: Any) -> None:
        fields = self.redactor.data(json.loads(json.dumps(fields, default=str)))
        line = json.dumps({"ts": round(time.time(), 3), "event": event, **fields}, default=str)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def events(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
