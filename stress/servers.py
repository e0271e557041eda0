"""Scripted model servers for faults: one answers a request asked again after a kill the same way, one answers
from a queue each trial refills."""

from __future__ import annotations

from collections import deque
from typing import Any

from core.model.scripted_server import ScriptedModelServer


class ConversationServer(ScriptedModelServer):
    """Answers by role and turn (assistant messages so far in the request), not by order: a job killed and
    resumed asks some calls again, and gets the same answers."""

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        super().__init__({"context_window": 16384, "steps": steps})
        self.by_turn: dict[tuple[str, int], dict[str, Any]] = {}
        turns: dict[str, int] = {}
        for step in steps:
            role = str(step.get("expect", {}).get("role", ""))
            self.by_turn[(role, turns.get(role, 0))] = {"response": step["response"]}
            turns[role] = turns.get(role, 0) + 1

    def next_step(self, body: dict[str, Any]) -> dict[str, Any] | None:
        role = str(body.get("user") or "").removeprefix("swe-team:")
        turn = sum(1 for message in body.get("messages", []) if message.get("role") == "assistant")
        return self.by_turn.get((role, turn))


class QueueServer(ScriptedModelServer):
    """Answers from `queue`, which each trial refills (what one trial left unasked is dropped)."""

    def __init__(self) -> None:
        super().__init__({"context_window": 16384, "steps": []})
        self.queue: deque[dict[str, Any]] = deque()

    def load(self, steps: list[dict[str, Any]]) -> None:
        """The answers of the next trial, asked between trials (no request is in flight)."""
        self.queue.clear()
        self.queue.extend(steps)

    def next_step(self, body: dict[str, Any]) -> dict[str, Any] | None:
        return self.queue.popleft() if self.queue else None
