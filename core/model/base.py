"""The records a model call returns and the `ModelClient` protocol the roles talk to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

Message = dict[str, Any]
"""An OpenAI chat message: {"role": ..., "content": ..., optional "tool_calls"/"tool_call_id"/"name"}."""
NO_CHOICES = "no_choices"
"""The `finish_reason` of a completion whose HTTP answer held no choice at all (handled as garbled output)."""


@dataclass(frozen=True)
class ToolCall:
    """A tool call as the model wrote it; `arguments` is the raw JSON text, parsed by the caller."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cost_usd: float | None = None

    def __add__(self, other: Usage) -> Usage:
        cost = (
            None
            if self.cost_usd is None and other.cost_usd is None
            else ((self.cost_usd or 0.0) + (other.cost_usd or 0.0))
        )
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.seconds + other.seconds,
            cost,
        )

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "seconds": round(self.seconds, 3),
            "cost_usd": self.cost_usd,
        }


@dataclass(frozen=True)
class Completion:
    content: str
    tool_calls: tuple[ToolCall, ...]
    usage: Usage
    finish_reason: str = "stop"
    model: str = ""
    folded_messages: int = 0
    """How many older messages were summarized or cut to fit the context window."""


class ModelClient(Protocol):
    def complete(
        self,
        messages: list[Message],
        *,
        alias: str = "instruct",
        tools: list[dict[str, Any]] | None = None,
        response_schema: dict[str, Any] | None = None,
        role: str = "",
    ) -> Completion:
        """One chat completion; the messages are fitted to the alias's context window first.

        `response_schema` asks for JSON matching the schema (json_schema, or json_object + schema where the
        server only supports that). Retries connection errors, 5xx and timeouts with backoff; raises
        `ModelUnreachable` / `ModelError` past the retry budget.
        """
        ...

    def context_window(self, alias: str = "instruct") -> int: ...
