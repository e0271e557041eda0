"""Tool calling through constrained JSON, for servers whose native tool calling is missing or unreliable.

The tools are described in the system message, the server is asked for one JSON object
`{"tool": name, "arguments": {...}}` (grammar-constrained where the server supports a schema), and the reply is
turned back into a `ToolCall`. Earlier calls and their results are rewritten as plain messages, so any chat
template can render the conversation.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

from core.model.base import Completion, Message, ToolCall

INSTRUCTIONS = (
    "You act by calling tools. Reply with exactly one JSON object and nothing else: "
    '{"tool": "<tool name>", "arguments": {<the tool\'s arguments>}}. Tools:'
)


def _compact(schema: dict[str, Any]) -> str:
    keep = {k: v for k, v in schema.items() if k in ("properties", "required", "$defs")}
    text = json.dumps(keep, separators=(",", ":"))
    return text.replace('"title":', '"t":')


def tool_prompt(tools: list[dict[str, Any]]) -> str:
    lines = [INSTRUCTIONS]
    for tool in tools:
        function = tool["function"]
        lines.append(
            f"- {function['name']}: {function.get('description', '')} Arguments: "
            f"{_compact(function.get('parameters', {}))}"
        )
    return "\n".join(lines)


def tool_call_schema(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """One alternative per tool, each with that tool's argument schema, so a grammar constrains both."""
    definitions: dict[str, Any] = {}
    choices = []
    for tool in tools:
        function = tool["function"]
        parameters = dict(function.get("parameters") or {"type": "object"})
        definitions.update(parameters.pop("$defs", {}))
        choices.append(
            {
                "type": "object",
                "properties": {"tool": {"const": function["name"]}, "arguments": parameters},
                "required": ["tool", "arguments"],
            }
        )
    schema: dict[str, Any] = {"anyOf": choices}
    if definitions:
        schema["$defs"] = definitions
    return schema


def as_plain_conversation(messages: list[Message], tools: list[dict[str, Any]]) -> list[Message]:
    """The conversation with tool calls and results as ordinary assistant and user messages."""
    names: dict[str, str] = {}
    plain: list[Message] = []
    for message in messages:
        role = message.get("role")
        if role == "assistant" and message.get("tool_calls"):
            call = message["tool_calls"][0]
            names[str(call.get("id"))] = call["function"]["name"]
            arguments = call["function"].get("arguments") or "{}"
            plain.append(
                {"role": "assistant", "content": f'{{"tool": "{call["function"]["name"]}", "arguments": {arguments}}}'}
            )
        elif role == "tool":
            name = names.get(str(message.get("tool_call_id")), message.get("name", "tool"))
            plain.append({"role": "user", "content": f"Result of {name}:\n{message.get('content') or ''}"})
        else:
            plain.append({"role": str(role), "content": message.get("content") or ""})
    prompt = tool_prompt(tools)
    if plain and plain[0]["role"] == "system":
        plain[0] = {"role": "system", "content": f"{plain[0]['content']}\n\n{prompt}"}
    else:
        plain.insert(0, {"role": "system", "content": prompt})
    return plain


def with_tool_call(completion: Completion) -> Completion:
    """The completion with its JSON reply read as a tool call; left as text when it is not one."""
    try:
        reply = json.loads(completion.content, strict=False)
    except json.JSONDecodeError:
        return completion
    if not isinstance(reply, dict) or not isinstance(reply.get("tool"), str):
        return completion
    arguments = reply.get("arguments", {})
    call = ToolCall(
        id=f"call_{uuid.uuid4().hex[:12]}",
        name=reply["tool"],
        arguments=arguments if isinstance(arguments, str) else json.dumps(arguments),
    )
    return replace(completion, content="", tool_calls=(call,), finish_reason="tool_calls")
