"""Model answers recorded per graph task, so a node re-run after a crash replays them instead of asking again.

LangGraph re-runs an interrupted node from its top with the same task id; the workspace is rolled back to the
snapshot taken before that node, so replaying the recorded answers reproduces the same tool calls exactly once.
An answer whose handling crashed the node is marked failed: it is not replayed, and the model is asked again.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.model.base import Completion, ToolCall, Usage


def _encode(completion: Completion) -> dict[str, Any]:
    return {
        "content": completion.content,
        "tool_calls": [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in completion.tool_calls],
        "usage": completion.usage.to_dict(),
        "finish_reason": completion.finish_reason,
        "model": completion.model,
    }


def _decode(data: dict[str, Any]) -> Completion:
    usage = data.get("usage", {})
    return Completion(
        content=data.get("content") or "",
        tool_calls=tuple(ToolCall(**call) for call in data.get("tool_calls", [])),
        usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0), 0.0, usage.get("cost_usd")),
        finish_reason=data.get("finish_reason", "stop"),
        model=data.get("model", ""),
    )


@dataclass
class Recorded:
    """What a node's journal holds: the answers to replay, and the calls whose answer failed (asked again)."""

    answers: list[Completion] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    """Call index → why its recorded answer failed; that call and the ones after it go to the model again."""


class ModelJournal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".jsonl")

    def recorded(self, key: str) -> Recorded:
        path = self._path(key)
        found = Recorded()
        if not path.exists():
            return found
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(line)
                if "failed_call" in data:
                    index = int(data["failed_call"])
                    del found.answers[index:]
                    found.failed[index] = str(data.get("reason", ""))
                else:
                    found.answers.append(_decode(data))
            except (ValueError, TypeError):
                continue  # a line cut short by a kill: that answer was asked again, on the lines after it
        return found

    def append(self, key: str, completion: Completion) -> None:
        self._write(key, _encode(completion))

    def mark_failed(self, key: str, call_index: int, reason: str) -> None:
        """The answer to call `call_index` made the node fail: a re-run asks the model again from that call."""
        self._write(key, {"failed_call": call_index, "reason": reason})

    def _write(self, key: str, record: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._path(key).open("a+b") as handle:
            start = b""
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                start = b"" if handle.read(1) == b"\n" else b"\n"  # a line cut short by a kill ends here
            handle.write(start + json.dumps(record).encode("utf-8") + b"\n")
