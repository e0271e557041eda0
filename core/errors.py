"""The exception hierarchy. Each error carries a message a user can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class SweTeamError(Exception):
    """Base class: an error swe-team reports to the user without a traceback."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint

    def user_message(self) -> str:
        text = str(self)
        return f"{text}\n  → {self.hint}" if self.hint else text


class ConfigError(SweTeamError):
    """Invalid configuration value or file."""


class RepositoryError(SweTeamError):
    """The target repository is missing, not a git repository, or in a state we refuse to touch."""


class ModelError(SweTeamError):
    """The model endpoint failed after retries, or its output stayed unusable past the retry budget."""


class ModelUnreachable(ModelError):
    """The model endpoint did not answer at all."""


class WorkspaceError(SweTeamError):
    """The workspace could not be created, reached or used."""


class WorkspaceUnavailable(WorkspaceError):
    """The workspace's engine or container stopped answering: the job stops at its checkpoint, to be resumed."""


class ToolError(SweTeamError):
    """A tool refused or failed; the loop returns the message to the model as an observation."""


class JobError(SweTeamError):
    """A job id is unknown or the job cannot do what was asked in its current state."""


def validation_problems(exc: ValidationError, whole: str = "value") -> str:
    """A pydantic error as one line: `field.path: what is wrong` per problem; `whole` names a root-level one."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or whole}: {err['msg'].removeprefix('Value error, ')}"
        for err in exc.errors(include_url=False)
    )
