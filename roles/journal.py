"""Model answers recorded per graph task, so a node re-run after a crash replays them instead of asking again.

LangGraph re-runs an interrupted node from its top with the same task id; the workspace is rolled back to the
snapshot taken before that node, so replaying the recorded answers reproduces the same tool calls exactly once.
"""

from __future__ import annotations

import json
import re
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


class ModelJournal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".jsonl")

    def recorded(self, key: str) -> list[Completion]:
        path = self._path(key)
        if not path.exists():
            return []
        answers = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                answers.append(_decode(json.loads(line)))
            except ValueError:
                break  # a line cut short by a kill: everything after it is unrecorded
        return answers

    def append(self, key: str, completion: Completion) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._path(key).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(_encode(completion)) + "\n")
