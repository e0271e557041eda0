"""What a line typed at a gate means. Slash commands and plain words both work; anything unclear is `help`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verb = Literal["approve", "reject", "edit", "keep", "pick", "retry", "ask", "comment", "show", "diff", "quit", "help"]

WORDS: dict[str, Verb] = {
    "approve": "approve",
    "a": "approve",
    "yes": "approve",
    "y": "approve",
    "ok": "approve",
    "lgtm": "approve",
    "reject": "reject",
    "no": "reject",
    "n": "reject",
    "edit": "edit",
    "e": "edit",
    "keep": "keep",
    "accept": "keep",
    "pick": "pick",
    "choose": "pick",
    "retry": "retry",
    "r": "retry",
    "again": "retry",
    "ask": "ask",
    "?": "ask",
    "show": "show",
    "evidence": "show",
    "diff": "diff",
    "quit": "quit",
    "q": "quit",
    "exit": "quit",
    "later": "quit",
    "help": "help",
    "h": "help",
}
"""First word (with or without a leading slash) → verb. Only these words count as commands."""

HELP = """\
[bold]approve[/] (a, yes)           let the team go on
[bold]reject[/] \\[reason]            end the job here, with the reason
[bold]edit[/]                       open $EDITOR on the plan, the locations or the patch; your version goes on
[bold]keep[/] K                     at the patch gate: keep actions 1..K, then edit, replace or drop action K+1
[bold]pick[/] ID                    after a candidate search: go on with that finalist's patch (c1, c2 …)
[bold]retry[/] \\[comment]            send the work back to the role with your comment
[bold]ask[/] <question>             the role answers without acting; the gate stays open
[bold]show[/]                       draw the evidence again
[bold]diff[/]                       the whole diff (the final gate shows a summary after the patch gate)
[bold]quit[/]                       leave; the job keeps waiting (`swe-team chat JOB` later)
anything else of two words or more is a comment for the role, which then revises its work.
Slash forms work too: /approve, /reject …"""
"""Rich markup: `\\[` prints a literal `[`, so the optional arguments show as typed."""


@dataclass(frozen=True)
class ChatCommand:
    verb: Verb
    text: str = ""
    problem: str = ""
    """For `help`: why the input was not understood."""


def parse_command(line: str) -> ChatCommand:
    stripped = line.strip()
    if not stripped:
        return ChatCommand("help", problem="type a decision, a question or a comment")
    first, _, rest = stripped.partition(" ")
    slash = first.startswith("/")
    word = first[1:].lower() if slash else first.lower()
    verb = WORDS.get(word.rstrip(":,!."))
    if verb is not None:
        return ChatCommand(verb, rest.strip())
    if stripped.endswith("?") and not slash and len(stripped.split()) > 1:
        return ChatCommand("ask", stripped)
    if slash:
        return ChatCommand("help", problem=f"unknown command {first}")
    if len(stripped.split()) < 2:
        return ChatCommand("help", problem=f"{stripped!r} is not a command; a comment needs a few words")
    return ChatCommand("comment", stripped)
