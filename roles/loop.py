"""The one loop every role runs: ask the model, run the tools it calls, until it submits a typed answer.

Garbled output — invalid JSON, an unknown tool, missing arguments, text that is not valid Unicode, prose where a
call was expected, an empty answer — goes back to the model with the error. Past `settings.models.format_retries`
such errors the role fails with `RoleFailed`. Whatever a tool raises is an observation the model reads, except a
model server or workspace that stopped answering, which stops the job resumably.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import ModelError, ModelUnreachable, ToolError, WorkspaceUnavailable, validation_problems
from core.model.base import NO_CHOICES, Completion, Message, ToolCall, Usage
from roles.context import RoleServices
from roles.journal import Recorded
from roles.spec import RoleSpec
from tools.base import MAX_TEXT_CHARS, text_problem
from tools.registry import get_tools

Output = TypeVar("Output", bound=BaseModel)
SUBMIT = "submit"
STOPS_THE_JOB = (ModelUnreachable, WorkspaceUnavailable)
"""Failures of what the job runs on, not of the model's answer: raised on, even from inside a tool."""
ERROR_CHARS = 600
EMPTY_ANSWER = "the answer was empty (the server sent no choices); answer again"


class RoleFailed(ModelError):
    """The model's output stayed unusable past the retry budget."""


@dataclass
class RoleVisit:
    """One role's run through the loop: who, where its answers are journaled, what it spent."""

    spec: RoleSpec
    services: RoleServices
    journal_key: str
    calls: int = 0
    format_errors: int = 0
    usage: Usage = field(default_factory=Usage)
    _recorded: Recorded | None = None

    def system_prompt(self, **values: Any) -> str:
        repo_name = Path(self.services.tools.workspace.info.repo_path).name
        return self.spec.system_prompt(repo_name=repo_name, **values)

    def opening(self, *sections: str) -> list[Message]:
        """The role's system prompt and its first user message, made of the non-empty sections."""
        briefing = "\n".join(section for section in sections if section)
        return [{"role": "system", "content": self.system_prompt()}, {"role": "user", "content": briefing}]

    def usage_update(self) -> dict[str, dict[str, Any]]:
        return {self.spec.name: {**self.usage.to_dict(), "calls": self.calls, "format_errors": self.format_errors}}

    def ask(self, messages: list[Message], **kwargs: Any) -> Completion:
        """One model call, replayed from the journal when this node already made it before a crash."""
        if self._recorded is None:
            self._recorded = self.services.journal.recorded(self.journal_key)
        recorded = self._recorded
        index = self.calls
        self.calls += 1
        if index < len(recorded.answers):
            self.services.progress(self.spec.name, f"model call {self.calls} (answer kept from before the resume)")
            completion, replayed = recorded.answers[index], True
        else:
            self.services.progress(self.spec.name, f"model call {self.calls}")
            if index in recorded.failed:
                self._asking_again(index, recorded.failed.pop(index))
            completion = self.services.model.complete(messages, alias=self.spec.alias, role=self.spec.name, **kwargs)
            self.services.journal.append(self.journal_key, completion)
            replayed = False
        self.usage = self.usage + completion.usage
        self.services.trajectory.record(
            "model_call",
            role=self.spec.name,
            alias=self.spec.alias,
            call=self.calls,
            request=messages[-3:] if self.calls > 1 else messages,
            content=completion.content,
            tool_calls=[{"name": c.name, "arguments": c.arguments} for c in completion.tool_calls],
            usage=completion.usage.to_dict(),
            folded_messages=completion.folded_messages,
            replayed=replayed,
        )
        return completion

    def answer_failed(self, error: BaseException) -> None:
        """The node crashed on the last answer: journal it as failed, so a re-run asks the model again there."""
        if self.calls:
            reason = _short(f"{type(error).__name__}: {error}")
            self.services.journal.mark_failed(self.journal_key, self.calls - 1, reason)
            self.services.trajectory.record("answer_failed", role=self.spec.name, call=self.calls, error=reason)

    def _asking_again(self, index: int, reason: str) -> None:
        note = (
            f"{self.spec.name}: the answer recorded for model call {index + 1} had failed before the resume "
            f"({reason}); the model was asked again from that call"
        )
        self.services.extras.setdefault("run_notes", []).append(note)
        self.services.trajectory.record("asked_again", role=self.spec.name, call=index + 1, reason=reason)

    def garbled(self, problem: str) -> str:
        """Count a format error; fail the role once the budget is spent."""
        self.format_errors += 1
        budget = self.services.settings.models.format_retries
        self.services.trajectory.record("format_error", role=self.spec.name, problem=problem)
        if self.format_errors > budget:
            raise RoleFailed(
                f"the model's output was unusable {self.format_errors} times "
                f"(budget {budget}); last problem: {problem}",
                hint="use a stronger model (--model) or raise models.format_retries",
            )
        return f"error: {problem}"


def _submit_schema(output: type[BaseModel]) -> dict[str, Any]:
    params = output.model_json_schema()
    params.pop("title", None)
    return {
        "type": "function",
        "function": {
            "name": SUBMIT,
            "description": "Finish your work and hand in your final answer. Call it exactly once, at the end.",
            "parameters": params,
        },
    }


def extract_json(text: str) -> str:
    """The JSON object in a reply that may wrap it in a code fence or prose."""
    fenced = re.search(r"```(?:json)?\s*(\{.*\})\s*```", text, re.DOTALL)
    if fenced:
        return fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if start != -1 and end > start else text


def parse_answer(text: str, output: type[Output]) -> Output:
    """`output` read from the JSON in `text`; raw line breaks and tabs inside its strings, which small models
    often write, are accepted. `ValidationError` when it is not one."""
    found = extract_json(text)
    try:
        return output.model_validate_json(found)
    except ValidationError as exc:
        if not any(error["type"] == "json_invalid" for error in exc.errors()):
            raise
        try:
            value = json.loads(found, strict=False)
        except json.JSONDecodeError:
            raise exc from None
        return output.model_validate(value)


def ask_structured(visit: RoleVisit, messages: list[Message], output: type[Output]) -> Output:
    """A JSON answer validated against `output`; invalid answers are sent back with the error."""
    schema = output.model_json_schema()
    while True:
        completion = visit.ask(messages, response_schema=schema)
        try:
            answer = parse_answer(completion.content, output)
            problem = text_problem(answer.model_dump(), "answer")
            if not problem:
                return answer
        except ValidationError as exc:
            problem = "your answer does not match the required JSON schema: " + validation_problems(exc, "answer")
        if completion.finish_reason == NO_CHOICES:
            problem = EMPTY_ANSWER
        messages.append({"role": "assistant", "content": completion.content})
        messages.append({"role": "user", "content": visit.garbled(problem) + "\nReply with the JSON object only."})


def _parse_arguments(call: ToolCall) -> dict[str, Any]:
    try:
        arguments = json.loads(call.arguments or "{}", strict=False)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the arguments of {call.name} are not valid JSON ({exc.msg} at {exc.pos})") from exc
    except RecursionError as exc:
        raise ValueError(f"the arguments of {call.name} nest deeper than JSON is read here") from exc
    if not isinstance(arguments, dict):
        raise ValueError(f"the arguments of {call.name} must be a JSON object")
    return arguments


def _run_tool(visit: RoleVisit, call: ToolCall, tools: dict[str, Any]) -> str:
    """The observation for one tool call; format problems count against the budget, tool errors do not."""
    try:
        arguments = _parse_arguments(call)
    except ValueError as exc:
        return visit.garbled(str(exc))
    if call.name not in tools:
        return visit.garbled(f"unknown tool {call.name!r}; available tools: {', '.join(sorted(tools))}, {SUBMIT}")
    visit.services.progress(visit.spec.name, f"tool {call.name}")
    started = time.monotonic()
    error = False
    try:
        observation = str(tools[call.name].invoke(visit.services.tools, arguments))
    except Exception as exc:
        if (stop := stopping_cause(exc)) is not None:
            raise stop from stop.__cause__  # as it was first raised, not as the tool's error
        error = True
        if not isinstance(exc, ToolError):
            observation = f"error: {call.name} failed: {_short(f'{type(exc).__name__}: {exc}')}"
        elif str(exc).startswith(f"invalid arguments for {call.name}"):
            observation = visit.garbled(str(exc))
        else:
            observation = f"error: {exc}"
    visit.services.trajectory.record(
        "tool_call",
        role=visit.spec.name,
        tool=call.name,
        arguments=arguments,
        observation=observation,
        error=error,
        seconds=round(time.monotonic() - started, 3),
    )
    return observation


def run_tool_loop(visit: RoleVisit, messages: list[Message], output: type[Output]) -> Output:
    """Let the model use the role's tools until it calls `submit` with a valid `output`."""
    tools = {tool.name: tool for tool in get_tools(visit.spec.tools)}
    schemas = [tool.schema() for tool in tools.values()] + [_submit_schema(output)]
    steps = min(visit.spec.max_steps, visit.services.settings.budgets.role_max_steps)
    for _ in range(steps):
        completion = visit.ask(messages, tools=schemas)
        messages.append(_assistant_message(completion))
        if not completion.tool_calls:
            if (written := _answer_in_text(completion.content, output)) is not None:
                return written
            problem = f"no tool was called; use a tool, or call {SUBMIT} with your final answer"
            if completion.finish_reason == NO_CHOICES:
                problem = EMPTY_ANSWER
            messages.append({"role": "user", "content": visit.garbled(problem)})
            continue
        answer: Output | None = None
        for call in completion.tool_calls:
            if call.name == SUBMIT:
                observation, answer = _check_submission(visit, call, output)
            else:
                observation = _run_tool(visit, call, tools)
            messages.append({"role": "tool", "tool_call_id": call.id, "name": call.name, "content": observation})
        if answer is not None:
            return answer
    messages.append(
        {
            "role": "user",
            "content": f"You have used all {steps} steps. Give your final answer now as JSON.",
        }
    )
    return ask_structured(visit, messages, output)


def _answer_in_text(content: str, output: type[Output]) -> Output | None:
    """A final answer written as JSON in the message instead of a `submit` call (small models often do this)."""
    if "{" not in content:
        return None
    try:
        answer = parse_answer(content, output)
    except ValidationError:
        return None
    return None if text_problem(answer.model_dump()) else answer


def stopping_cause(error: BaseException) -> BaseException | None:
    """The failure of a model server or workspace behind `error` (itself, or what it was raised from), if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, STOPS_THE_JOB):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _short(text: str) -> str:
    return text if len(text) <= ERROR_CHARS else text[:ERROR_CHARS] + " …"


def _check_submission(visit: RoleVisit, call: ToolCall, output: type[Output]) -> tuple[str, Output | None]:
    try:
        arguments = _parse_arguments(call)
        if problem := text_problem(arguments, "answer"):
            raise ValueError(problem)
        return "submitted", output.model_validate(arguments)
    except ValueError as exc:
        problem = validation_problems(exc, "answer") if isinstance(exc, ValidationError) else str(exc)
        return visit.garbled(f"{SUBMIT} was called with an invalid answer: {problem}"), None


def _assistant_message(completion: Completion) -> Message:
    message: Message = {"role": "assistant", "content": completion.content or ""}
    if completion.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": _echoed(c.arguments)}}
            for c in completion.tool_calls
        ]
    return message


def _echoed(arguments: str) -> str:
    """Arguments as the conversation repeats them: ones too long for any tool (refused) are not sent again."""
    if len(arguments) <= MAX_TEXT_CHARS:
        return arguments
    return json.dumps({"omitted": f"{len(arguments):,} characters of arguments, refused as too long"})
