"""What a tool is: a name, a JSON schema for its arguments, and a function of (context, arguments)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from core.errors import ToolError, validation_problems

if TYPE_CHECKING:
    from core.edit_actions import EditAction
    from workspaces.base import Workspace

Args = TypeVar("Args", bound=BaseModel)
MAX_TEXT_CHARS = 1_000_000
"""Longest text one argument may carry (a whole file's content at most)."""


@dataclass
class ToolContext:
    """What a tool may act on. Optional services are None when the job has none."""

    workspace: Workspace
    code_graph: Any = None
    experience: Any = None
    command_timeout_s: float = 300.0
    file_listeners: list[Callable[[list[str]], None]] = field(default_factory=list)
    """Called with the repository-relative paths one tool call changed, created or deleted, all at once (so a code
    graph re-links once)."""
    action_listeners: list[Callable[[EditAction], None]] = field(default_factory=list)
    """Called with the `EditAction` (tool, arguments, file edits) of every edit a tool made: the action log."""
    extras: dict[str, Any] = field(default_factory=dict)

    def file_changed(self, path: str) -> None:
        self.files_changed([path])

    def files_changed(self, paths: list[str]) -> None:
        for listener in self.file_listeners:
            listener(paths)

    def action_made(self, action: EditAction) -> None:
        for listener in self.action_listeners:
            listener(action)


@dataclass(frozen=True)
class Tool(Generic[Args]):
    """One action an agent can take. `run` returns the observation text or raises `ToolError`."""

    name: str
    description: str
    args: type[Args]
    run: Callable[[ToolContext, Args], str]

    def schema(self) -> dict[str, Any]:
        """The OpenAI `tools=` entry for this tool."""
        params = self.args.model_json_schema()
        params.pop("title", None)
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": params},
        }

    def invoke(self, context: ToolContext, arguments: dict[str, Any]) -> str:
        """Validate the arguments and run; invalid arguments raise `ToolError` naming what is wrong."""
        from pydantic import ValidationError

        if problem := text_problem(arguments):
            raise ToolError(f"invalid arguments for {self.name}: {problem}")
        try:
            parsed = self.args.model_validate(arguments)
        except ValidationError as exc:
            problems = validation_problems(exc, "arguments")
            raise ToolError(f"invalid arguments for {self.name}: {problems}") from exc
        return self.run(context, parsed)


def text_problem(value: Any, where: str = "") -> str:
    """What makes model-sent text unfit for a file system or a request (a lone surrogate, which no encoding
    accepts, or more than `MAX_TEXT_CHARS`), naming the argument; empty when every string is fit."""
    if isinstance(value, str):
        name = where or "arguments"
        if len(value) > MAX_TEXT_CHARS:
            return f"{name}: {len(value):,} characters, more than the {MAX_TEXT_CHARS:,} allowed"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return (
                f"{name}: not valid Unicode (a lone surrogate {value[exc.start]!r} at character {exc.start}); "
                "send plain UTF-8 text"
            )
        return ""
    items: Any = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if problem := text_problem(item, f"{where}.{key}" if where else str(key)):
            return problem
    return ""
