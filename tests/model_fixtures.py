"""Helpers for tests that talk to a model: settings aimed at a server, script steps, message checks."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from core.model.base import Message
from core.model.llm import LiteLLMClient
from core.model.scripted_server import ScriptedModelServer
from core.settings import ModelAlias, ModelSettings, Settings

VIEW_FILE_TOOL = {
    "type": "function",
    "function": {
        "name": "view_file",
        "description": "Show a window of a file.",
        "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
    },
}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings_for(
    api_base: str,
    home: Path,
    *,
    retries: int = 1,
    model: str = "openai/local-model",
    context_window: int | None = None,
    max_output_tokens: int = 256,
    timeout_s: float = 30.0,
    **alias_fields: Any,
) -> Settings:
    """Settings whose two aliases both point at `api_base`, with a small retry budget."""
    alias = ModelAlias(
        model=model,
        api_base=api_base,
        context_window=context_window,
        max_output_tokens=max_output_tokens,
        timeout_s=timeout_s,
        **alias_fields,
    )
    return Settings(
        home=home,
        models=ModelSettings(instruct=alias, reasoning=alias.model_copy(), retries=retries),
    )


def client_for(server: ScriptedModelServer, home: Path, **settings: Any) -> LiteLLMClient:
    """A client of `server` (settings as `settings_for`) that retries without waiting."""
    return LiteLLMClient(settings_for(server.base_url, home, **settings), backoff_s=0.01)


def text_step(content: str, role: str | None = None, **expect: Any) -> dict[str, Any]:
    step: dict[str, Any] = {"response": {"content": content}}
    if role is not None or expect:
        step["expect"] = {**({"role": role} if role is not None else {}), **expect}
    return step


def tool_step(name: str, arguments: dict[str, Any] | str, role: str | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {"response": {"tool_calls": [{"name": name, "arguments": arguments}]}}
    if role is not None:
        step["expect"] = {"role": role}
    return step


def json_step(payload: dict[str, Any], role: str | None = None) -> dict[str, Any]:
    return text_step(json.dumps(payload), role)


def tool_pairing_errors(messages: list[Message]) -> list[str]:
    """What breaks the OpenAI rule that tool results answer the calls of the assistant message before them."""
    errors: list[str] = []
    open_calls: set[str] = set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "assistant":
            if open_calls:
                errors.append(f"message {index}: calls {sorted(open_calls)} were never answered")
            open_calls = {str(call["id"]) for call in message.get("tool_calls") or []}
        elif role == "tool":
            call_id = str(message.get("tool_call_id"))
            if call_id not in open_calls:
                errors.append(f"message {index}: tool result {call_id} answers no open call")
            open_calls.discard(call_id)
        elif open_calls:
            errors.append(f"message {index}: calls {sorted(open_calls)} were never answered")
            open_calls = set()
    return errors


def conversation_with_tool_results(turns: int, observation: str) -> list[Message]:
    """system, user, then `turns` × (assistant tool call, tool result), then a final user nudge."""
    messages: list[Message] = [
        {"role": "system", "content": "You are the localizer. SYSTEM-PROMPT-MARKER"},
        {"role": "user", "content": "Find the bug. FIRST-USER-MARKER"},
    ]
    for turn in range(turns):
        call_id = f"call_{turn}"
        arguments = json.dumps({"path": f"src/module_{turn}.py"})
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": "view_file", "arguments": arguments},
                    }
                ],
            }
        )
        messages.append({"role": "tool", "tool_call_id": call_id, "content": f"turn {turn}\n{observation}"})
    messages.append({"role": "user", "content": "Continue. LAST-USER-MARKER"})
    return messages
