"""Small self-hosted models write JSON with raw line breaks inside strings: such an answer is read, not refused."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from core.model.base import Completion, Usage
from core.model.json_tools import with_tool_call
from core.state import Plan
from roles.loop import parse_answer

RAW_NEWLINE_PLAN = '{"kind": "bug", "summary": "empty cart\n crashes", "steps": ["guard\tmin()"]}'


def test_a_plan_with_a_raw_line_break_in_a_string_is_read() -> None:
    plan = parse_answer(f"Here is the plan:\n```json\n{RAW_NEWLINE_PLAN}\n```", Plan)
    assert plan.summary == "empty cart\n crashes" and plan.steps == ["guard\tmin()"]


def test_an_answer_that_is_not_json_or_breaks_the_schema_is_still_refused() -> None:
    with pytest.raises(ValidationError):
        parse_answer('{"kind": "bug", "summary": "no steps', Plan)
    with pytest.raises(ValidationError):
        parse_answer('{"kind": "chore", "summary": "a\nb", "steps": ["x"]}', Plan)


def test_a_json_tool_call_with_a_raw_line_break_becomes_a_tool_call_with_valid_arguments() -> None:
    reply = '{"tool": "search_files", "arguments": {"pattern": "def total(\n"}}'
    completion = with_tool_call(Completion(reply, (), Usage(10, 5, 0.1, None), "stop", "local"))
    (call,) = completion.tool_calls
    assert call.name == "search_files" and json.loads(call.arguments) == {"pattern": "def total(\n"}
