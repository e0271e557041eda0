"""Malformed model answers from a seeded generator: broken HTTP bodies, tool calls with wrong names, arguments
that are not JSON or carry text no encoding takes, paths out of the repository or longer than any file system
allows, wrong types, and final answers of every role gone wrong. The variants the fault campaign found come
first, then as many generated ones as asked for."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SURROGATE = "\ud800"

VALID_ARGUMENTS: dict[str, dict[str, Any]] = {
    "view_file": {"path": "shop/cart.py"},
    "list_files": {"path": "shop"},
    "search_files": {"pattern": "def "},
    "create_file": {"path": "notes.txt", "content": "notes\n"},
    "search_replace": {"path": "shop/cart.py", "search": "class Cart", "replace": "class Cart"},
    "run_command": {"command": "echo hi"},
    "git_diff": {"path": "shop"},
    "graph_search": {"query": "Cart"},
}
ROLE_TOOLS = {
    "localizer": ["view_file", "list_files", "search_files", "graph_search"],
    "coder": ["view_file", "list_files", "search_files", "create_file", "search_replace", "run_command", "git_diff"],
    "reviewer": ["view_file", "search_files"],
    "tester": ["view_file", "create_file"],
}
FINAL: dict[str, dict[str, Any]] = {
    "localizer": {"locations": [{"path": "shop/cart.py", "symbol": "Cart.cheapest_price", "reason": "min()"}]},
    "coder": {"summary": "made cheapest_price safe on an empty cart"},
    "reviewer": {"verdict": "approve", "summary": "fine"},
    "tester": {"test_files": ["tests/test_cart.py"], "test_selectors": ["tests/test_cart.py::test_total_includes_tax"]},
}
PLAN = {"kind": "bug", "summary": "min() of an empty cart", "steps": ["guard the empty cart"], "priority": "normal"}
ROLES = {"planner": 30, "localizer": 45, "coder": 80, "reviewer": 35, "tester": 6}
"""How often each role is picked: the tester's node runs the test suite, so it gets few trials."""
STRINGS = [
    f"bad {SURROGATE} text", "nul\x00byte", "x" * 100_000, "y" * 1_100_000, "../../etc/passwd", "/etc/passwd",
    "", " ", "\n", "a/" + "b" * 300, "~/x", ".", "shop/../../x", "\u202eevil", "🛒" * 1000, "C:\\Windows",
]
WRONG_TYPES: list[Any] = [123, -1, 10**30, 1.5, True, None, [], {}, ["x"], {"a": 1}]
RAW_ARGUMENTS = [
    '{"path": "shop/cart.py"', "null", "[]", "42", '"text"', '{}}', "{'path': 'x'}", "",
    '{"a":' * 3000 + "1" + "}" * 3000, "[" * 5000 + "]" * 5000, '{"path": "\\ud800"}', '{"path": NaN}',
]
NAMES = ["", "view_file ", "VIEW_FILE", "view-file", "open_file", SURROGATE, "x" * 10_000, "submit ", "functions.view"]


@dataclass(frozen=True)
class Malformed:
    name: str
    role: str
    step: dict[str, Any]
    """A scripted-server step: a `response` (content, tool calls) or a whole HTTP `body`."""


def calls(*pairs: tuple[str, Any]) -> dict[str, Any]:
    return {"response": {"tool_calls": [{"name": name, "arguments": arguments} for name, arguments in pairs]}}


def text(content: Any) -> dict[str, Any]:
    return {"response": {"content": content}}


def body(choices: Any, **extra: Any) -> dict[str, Any]:
    return {"body": {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": choices, **extra}}


def finish(role: str) -> dict[str, Any]:
    """The answer that ends the role's visit well, sent after the malformed one."""
    return text(json.dumps(PLAN)) if role == "planner" else calls(("submit", FINAL[role]))


def named() -> list[Malformed]:
    """The variants the fault campaign found to make a job impossible to finish."""
    return [
        Malformed("create_file content with a lone surrogate", "coder",
                  calls(("create_file", {"path": "notes.txt", "content": f"a {SURROGATE} b"}))),
        Malformed("search_replace content with a lone surrogate", "coder",
                  calls(("search_replace", {"path": "shop/cart.py", "search": "class Cart", "replace": SURROGATE}))),
        Malformed("view_file with a 100,000-character path", "coder", calls(("view_file", {"path": "p" * 100_000}))),
        Malformed("HTTP 200 with no choices", "coder", body([])),
        Malformed("localizer naming ../../etc/passwd", "localizer",
                  calls(("submit", {"locations": [{"path": "../../etc/passwd", "reason": "x"}]}))),
        Malformed("a path with a lone surrogate", "coder",
                  calls(("create_file", {"path": f"a{SURROGATE}.py", "content": ""}))),
        Malformed("planner content with a lone surrogate", "planner", text(json.dumps({**PLAN, "summary": SURROGATE}))),
        Malformed("planner prose with a lone surrogate", "planner", text(f"I think {SURROGATE} we should")),
    ]


def _mutated_arguments(rng: random.Random, arguments: dict[str, Any]) -> tuple[str, Any]:
    key = rng.choice(list(arguments))
    kind = rng.randrange(5)
    if kind == 0:
        value = rng.choice(STRINGS)
        return f"{key} = {value[:20]!r}", {**arguments, key: value}
    if kind == 1:
        value = rng.choice(WRONG_TYPES)
        return f"{key} = {value!r}"[:60], {**arguments, key: value}
    if kind == 2:
        return f"without {key}", {k: v for k, v in arguments.items() if k != key}
    if kind == 3:
        return "an unknown argument", {**arguments, "unexpected": rng.choice(STRINGS)}
    raw = rng.choice(RAW_ARGUMENTS)
    return f"arguments {raw[:20]!r}", raw


def _tool_call(rng: random.Random, role: str) -> Malformed:
    if role == "planner":
        return _final(rng, role)
    tool = rng.choice(ROLE_TOOLS[role])
    if rng.random() < 0.15:
        name = rng.choice(NAMES)
        return Malformed(f"tool named {name[:20]!r}", role, calls((name, VALID_ARGUMENTS[tool])))
    if tool == "run_command":
        command = rng.choice(["", "echo \x00", f"echo {SURROGATE}", "true " * 30_000, "echo hi"])
        timeout = rng.choice([None, -1, 0, 1e308, "soon", 0.001])
        return Malformed(f"run_command {command[:12]!r} timeout {timeout!r}", role,
                         calls(("run_command", {"command": command, "timeout_s": timeout})))
    what, arguments = _mutated_arguments(rng, VALID_ARGUMENTS[tool])
    extra = [("view_file", VALID_ARGUMENTS["view_file"])] * rng.choice([0, 0, 1, 40])
    return Malformed(f"{tool} {what}" + (f" and {len(extra)} more calls" if extra else ""), role,
                     calls((tool, arguments), *extra))


def _final(rng: random.Random, role: str) -> Malformed:
    if role == "planner":
        content = rng.choice([
            "Sure! Here is the plan.", "", "{}", "[]", "null", json.dumps({**PLAN, "steps": ["s"] * 50}),
            json.dumps({**PLAN, "kind": "chore"}), json.dumps({**PLAN, "summary": "x" * 1_100_000}),
            "```json\n" + json.dumps(PLAN)[:-5] + "\n```", '{"a":' * 3000 + "1" + "}" * 3000,
            json.dumps({**PLAN, "steps": [SURROGATE]}),
        ])
        return Malformed(f"plan {content[:24]!r}", role, text(content))
    what, arguments = _mutated_arguments(rng, FINAL[role])
    if role == "localizer" and rng.random() < 0.5:
        location = {**FINAL["localizer"]["locations"][0]}
        field, value = rng.choice([("path", rng.choice(STRINGS)), ("start_line", -5), ("start_line", 10**30),
                                   ("end_line", "x"), ("symbol", SURROGATE)])
        what = f"location {field} = {str(value)[:20]!r}"
        arguments = {"locations": [{**location, field: value}] * rng.choice([1, 50])}
    return Malformed(f"submit {what}", role, calls(("submit", arguments)))


def _http_body(rng: random.Random, role: str) -> Malformed:
    message: dict[str, Any] = {"role": "assistant", "content": None}
    choices: list[tuple[Any, str]] = [
        (None, "choices null"), ([{}], "a choice without a message"), ([{"message": None}], "a null message"),
        ([{"message": {**message, "content": 42}}], "content is a number"),
        ([{"message": {**message, "content": [{"type": "text", "text": "hi"}]}}], "content is a list"),
        ([{"message": {**message, "tool_calls": "view_file"}}], "tool_calls is a string"),
        ([{"message": {**message, "tool_calls": [{"function": None}]}}], "a tool call without a function"),
        ([{"message": {**message, "tool_calls": [{"id": 7, "function": {"name": 5, "arguments": {"path": 1}}}]}}],
         "a tool call of wrong types"),
        ([{"message": {**message, "content": "x" * 1_100_000}}], "1.1 MB of content"),
        ([{"message": message, "finish_reason": 123}], "an empty message, finish_reason 123"),
    ]
    choice, name = rng.choice(choices)
    extras: list[dict[str, Any]] = [{}, {"usage": {"prompt_tokens": -5, "completion_tokens": "many"}}, {"model": None}]
    extra = rng.choice(extras)
    return Malformed(f"HTTP body: {name}", role, body(choice, **extra))


KINDS: list[Callable[[random.Random, str], Malformed]] = [_tool_call, _tool_call, _final, _http_body]


def malformed_answers(rng: random.Random, count: int) -> list[Malformed]:
    """The named variants, then generated ones up to `count`."""
    answers = named()[:count]
    roles, weights = list(ROLES), list(ROLES.values())
    while len(answers) < count:
        role = rng.choices(roles, weights)[0]
        answers.append(rng.choice(KINDS)(rng, role))
    return answers
