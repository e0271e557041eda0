"""The chat at a gate: show the evidence, then read decisions, questions and comments until one decides."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.text import Text

from core.errors import SweTeamError
from swe_team.approval import NeedsHuman, needs_human, who
from swe_team.chat.actions import keep_and_change
from swe_team.chat.commands import HELP, ChatCommand, parse_command
from swe_team.chat.editor import EditRejected, edit_proposal
from swe_team.chat.evidence import diff_panel, problem_text, render_screen
from swe_team.chat.screen import collect_screen


class ChatApprover:
    """The terminal approver. Without a terminal it raises `NeedsHuman`: the job waits, holding no process."""

    def __init__(self, console: Console, read_line: Callable[[str], str] | None = None) -> None:
        self.console = console
        self.read_line = read_line or console.input
        self.interactive = read_line is not None or sys.stdin.isatty()
        self._shown: tuple[str, str] | None = None
        self._answered: tuple[str, str] | None = None
        """The gate this chat last sent a decision from: when it asks again, its screen is still in view."""

    def show(self, screen: dict[str, Any]) -> None:
        """Draw a gate's screen; `ask` for the same gate then does not draw it again."""
        self.console.print(render_screen(screen))
        keep = " · keep K" if screen.get("evidence", {}).get("actions") else ""
        self.console.print(f"[dim]approve · reject · edit{keep} · retry · ask <question> · help[/]")
        self._shown = (str(screen.get("job_id", "")), str(screen.get("gate", "")))

    def ask(self, payload: dict[str, Any], context: Any = None) -> dict[str, Any]:
        job_id, gate = str(payload.get("job_id", "")), str(payload.get("gate", "?"))
        problem = str(payload.get("problem", ""))
        if not self.interactive:
            raise needs_human(payload)
        screen = collect_screen(payload, context.workspace) if context is not None else dict(payload)
        if problem and self._answered == (job_id, gate):
            self.console.print(problem_text(screen))
        elif self._shown != (job_id, gate):
            self.show(screen)
        self._shown = self._answered = None
        while True:
            try:
                line = self.read_line(f"{gate}> ")
            except EOFError:
                raise NeedsHuman(job_id, gate, why="the chat was closed") from None
            decision = self._handle(parse_command(line), screen, context)
            if decision is not None:
                self._answered = (job_id, gate)
                return {**decision, "by": f"{who()} (chat)"}

    def _handle(self, command: ChatCommand, screen: dict[str, Any], context: Any) -> dict[str, Any] | None:
        gate, role = str(screen.get("gate", "")), str(screen.get("role", ""))
        verb, text = command.verb, command.text
        if verb == "approve":
            return {"action": "approve", "comment": text}
        if verb == "reject":
            reason = text or self.read_line("reason (ends the job): ").strip()
            return {"action": "reject", "comment": reason}
        if verb in ("retry", "comment"):
            comment = text or self.read_line(f"comment for the {role}: ").strip()
            self.console.print(f"sending it back to the [bold]{role}[/] with your comment")
            return {"action": "retry", "comment": comment}
        if verb == "edit":
            return self._edit(gate, screen)
        if verb == "keep":
            actions = list(screen.get("evidence", {}).get("actions", []))
            if gate in ("patch", "final") and actions:
                return keep_and_change(self.console, self.read_line, actions, text)
            self.console.print("no actions to keep here: keep works at the patch gate on the team's actions")
            return None
        if verb == "pick":
            return self._pick(screen, text.strip())
        if verb == "ask":
            self._answer(screen, context, text)
        elif verb == "show":
            self.console.print(render_screen(screen))
        elif verb == "diff":
            diff = str(screen.get("diff", ""))
            self.console.print(diff_panel(diff) if gate in ("patch", "final") else "no diff at this gate yet")
        elif verb == "quit":
            raise NeedsHuman(str(screen.get("job_id", "")), gate, why="you left the chat")
        else:
            if command.problem:
                self.console.print(Text(command.problem, style="yellow"))
            self.console.print(HELP)
        return None

    def _edit(self, gate: str, screen: dict[str, Any]) -> dict[str, Any] | None:
        try:
            decision = edit_proposal(gate, screen.get("evidence", {}), str(screen.get("diff", "")))
        except EditRejected as exc:
            self.console.print(f"[red]not used:[/] {escape(exc.user_message())} — the gate is still open")
            return None
        if decision is None:
            self.console.print("unchanged — nothing was sent; the gate is still open")
            return None
        self.console.print(f"your edited {gate if gate != 'final' else 'patch'} goes on")
        return decision

    def _pick(self, screen: dict[str, Any], wanted: str) -> dict[str, Any] | None:
        finalists = screen.get("evidence", {}).get("candidates", {}).get("finalists", [])
        chosen = next((finalist for finalist in finalists if finalist.get("id") == wanted), None)
        if chosen is None:
            names = ", ".join(str(finalist.get("id")) for finalist in finalists)
            self.console.print(f"pick one of the finalists: {names}" if names else
                               "nothing to pick: pick works at the patch gate after a candidate search")
            return None
        if chosen.get("standing") == "winner":
            self.console.print(f"{wanted} is the patch the team went on with: approved")
            return {"action": "approve", "comment": f"picked {wanted}"}
        path = Path(str(chosen.get("patch_file", "")))
        patch = path.read_text(encoding="utf-8") if path.is_file() else str(chosen.get("diff", ""))
        self.console.print(f"going on with {wanted}'s patch instead: it is verified and reviewed again")
        return {"action": "edit", "patch": patch, "comment": f"picked {wanted}"}

    def _answer(self, screen: dict[str, Any], context: Any, question: str) -> None:
        from swe_team.chat.questions import answer_question

        if not question:
            self.console.print("ask what? e.g. [bold]ask why is this the root cause?[/]")
            return
        if context is None:
            self.console.print("[yellow]questions need the job's model; continue the job with `swe-team chat`[/]")
            return
        with self.console.status(f"the {screen.get('role', '')} is thinking"):
            try:
                answer = answer_question(context, screen, question)
            except SweTeamError as exc:
                self.console.print(f"[red]no answer:[/] {escape(exc.user_message())} [dim](the gate is still open)[/]")
                return
        self.console.print(Markdown(answer))
        self.console.print("[dim](the gate is still open)[/]")
