"""Edits as actions: what one tool call proposes to change, as data the trajectory, the report and the patch gate share.

A patch is an ordered list of `EditAction`s. Each action names the tool and the arguments it was called with, and
lists the `FileEdit`s it made, so a person can accept the first k actions and correct the next one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FileEdit(BaseModel):
    """One contiguous replacement in one file, in lines of the file as it was before the edit."""

    path: str = Field(description="Repository-relative path of the file.")
    start_line: int = Field(ge=1, description="First line replaced (1-based).")
    end_line: int = Field(ge=0, description="Last line replaced; start_line - 1 when the edit only inserts.")
    before: str = Field(description="The text of lines start_line..end_line before the edit.")
    after: str = Field(description="The text that replaces them.")


class EditAction(BaseModel):
    """One proposed change: the tool, its arguments and the edits it made, in the order it made them."""

    tool: str = Field(description="The tool that made the edits, e.g. search_replace or rename_symbol.")
    arguments: dict[str, Any] = Field(default_factory=dict, description="The arguments the tool was called with.")
    edits: list[FileEdit] = Field(default_factory=list, description="The file edits, in the order applied.")
    summary: str = Field(default="", description="One line: what the action does.")

    def files(self) -> list[str]:
        return list(dict.fromkeys(edit.path for edit in self.edits))
