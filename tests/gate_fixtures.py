"""A job run in this process against a scripted model server, its gates answered by the terminal chat reading
lines from a script: each gate's screen is kept as the developer saw it."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rich.console import Console

from core.jobs import Job
from core.settings import ModelAlias, ModelSettings, Settings
from swe_team.chat.session import ChatApprover
from swe_team.runner import JobRequest, JobRunner


class ScriptedChat:
    """Types `lines` at the gates' prompts, one per prompt, each for the gate named with it; `screens` holds what
    the console showed before each prompt."""

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        self.lines = list(lines)
        self.console = Console(record=True, width=200, color_system=None)
        self.screens: list[tuple[str, str]] = []

    def read_line(self, prompt: str) -> str:
        self.screens.append((prompt, self.console.export_text(clear=True)))
        assert self.lines, f"nothing left to type at {prompt!r}; the screen was:\n{self.screens[-1][1][-3000:]}"
        gate, line = self.lines.pop(0)
        assert prompt == f"{gate}> ", f"expected the {gate} gate, got {prompt!r}:\n{self.screens[-1][1][-3000:]}"
        return line

    def screen(self, index: int) -> str:
        """What the console showed before the `index`th prompt, with runs of white space (wrapping) as one space."""
        return flat(self.screens[index][1])

    def approver(self) -> ChatApprover:
        return ChatApprover(self.console, read_line=self.read_line)


def flat(text: str) -> str:
    return " ".join(text.split())


def in_process_settings(where: Path, api_base: str) -> Settings:
    alias = ModelAlias(api_base=api_base, context_window=16384, timeout_s=60)
    return Settings(
        home=where / "home",
        workspace="local",
        memory="sqlite",
        test_command=f"{sys.executable} -m pytest",
        models=ModelSettings(instruct=alias, reasoning=alias, retries=0),
    )


def run_in_process(settings: Settings, chat: ScriptedChat, request: JobRequest) -> Job:
    job = JobRunner(settings, chat.approver(), Console(file=io.StringIO())).start(request)
    assert chat.lines == [], f"lines never typed: {chat.lines}"
    return job
