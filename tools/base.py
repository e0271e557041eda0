"""What a tool is: a name, a JSON schema for its arguments, and a function of (context, arguments)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from core.errors import ToolError, validation_problems

if TYPE_CHECKING:
    from workspaces.base import Workspace

Args = TypeVar("Args", bound=BaseModel)


@dataclass
class ToolContext:
    """What a tool may act on. Optional services are None when the job has none."""

    workspace: Workspace
    code_graph: Any = None
    experience: Any = None
    command_timeout_s: float = 300.0
    file_listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with the repository-relative path after a tool changed, created or deleted a file."""
    extras: dict[str, Any] = field(default_factory=dict)

    def file_changed(self, path: str) -> None:
        for listener in self.file_listeners:
            listener(path)


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

        try:
            parsed = self.args.model_validate(arguments)
        except ValidationError as exc:
            problems = validation_problems(exc, "arguments")
            raise ToolError(f"invalid arguments for {self.name}: {problems}") from exc
        return self.run(context, parsed)
