"""`swe-team trajectory JOB`: a job's trajectory.jsonl read as a conversation, plain text a pager takes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from core.errors import SweTeamError
from swe_team.cli.common import guarded, out, settings_for
from swe_team.cli.job_options import JobId

app = typer.Typer()

RoleName = Literal["planner", "localizer", "tester", "coder", "reviewer"]
SHORT_LINES = 12
SHORT_CHARS = 1500
ARGUMENT_CHARS = 300


def read_events(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The events of a trajectory file and how many lines could not be read (a crash can cut the last one)."""
    events: list[dict[str, Any]] = []
    unreadable = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            unreadable += 1
            continue
        if isinstance(event, dict):
            events.append(event)
        else:
            unreadable += 1
    return events, unreadable


def shorten(text: str, full: bool) -> str:
    """At most `SHORT_LINES` lines and `SHORT_CHARS` characters of `text`, saying how much was left out."""
    text = text.rstrip()
    if full:
        return text
    kept = "\n".join(text.splitlines()[:SHORT_LINES])[:SHORT_CHARS].rstrip()
    hidden = len(text) - len(kept)
    return kept if hidden <= 0 else f"{kept}\n… ({hidden} more characters; --full shows everything)"


def indented(text: str, depth: int = 2) -> str:
    pad = " " * depth
    return "\n".join(pad + line for line in (text.splitlines() or [""]))


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        content = "\n".join(str(part.get("text", part)) if isinstance(part, dict) else str(part) for part in content)
    return str(content or "")


def _arguments(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class Conversation:
    """Turns events into text blocks; remembers the prompts already shown, as later calls repeat them."""

    def __init__(self, full: bool) -> None:
        self.full = full
        self.shown: set[tuple[str, str, str]] = set()

    def model_call(self, event: dict[str, Any]) -> Iterator[str]:
        role = str(event.get("role", "?"))
        usage = event.get("usage") or {}
        replayed = " · replayed from the journal" if event.get("replayed") else ""
        yield (
            f"{role} · model call {event.get('call', '?')} ({event.get('alias', '?')}) · "
            f"{usage.get('prompt_tokens', 0)} prompt + {usage.get('completion_tokens', 0)} completion tokens · "
            f"{float(usage.get('seconds') or 0):.1f} s{replayed}"
        )
        for message in event.get("request") or []:
            speaker = str(message.get("role", "?")) if isinstance(message, dict) else "?"
            text = message_text(message) if isinstance(message, dict) else str(message)
            if speaker in ("assistant", "tool") or (role, speaker, text) in self.shown:
                continue
            self.shown.add((role, speaker, text))
            yield indented(f"{speaker}:\n{indented(shorten(text, self.full))}")
        if content := str(event.get("content") or "").strip():
            yield indented(f"answer:\n{indented(shorten(content, self.full))}")
        for call in event.get("tool_calls") or []:
            if call.get("name") == "submit":
                yield indented(f"submits:\n{indented(shorten(_arguments(call.get('arguments')), self.full))}")
            else:
                yield indented(f"asks for {call.get('name', '?')}")

    def tool_call(self, event: dict[str, Any]) -> Iterator[str]:
        failed = " · failed" if event.get("error") else ""
        arguments = _arguments(event.get("arguments", {}))
        if not self.full and len(arguments) > ARGUMENT_CHARS:
            arguments = f"{arguments[:ARGUMENT_CHARS]} …(+{len(arguments) - ARGUMENT_CHARS} characters)"
        yield (
            f"{event.get('role', '?')} · tool {event.get('tool', '?')} {arguments} · "
            f"{float(event.get('seconds') or 0):.1f} s{failed}"
        )
        yield indented(shorten(str(event.get("observation", "")), self.full))

    def decision(self, event: dict[str, Any]) -> Iterator[str]:
        comment = f': "{event["comment"]}"' if event.get("comment") else ""
        by = f" (by {event['by']})" if event.get("by") else ""
        yield f"decision at the {event.get('gate', '?')} gate: {event.get('action', '?')}{comment}{by}"
        if (changed := event.get("changed")) and changed != "nothing":
            yield indented(f"→ {changed}")

    def gate_question(self, event: dict[str, Any]) -> Iterator[str]:
        yield f"question at the {event.get('gate', '?')} gate, answered by the {event.get('role', '?')}'s model"
        yield indented(f"asked:\n{indented(shorten(str(event.get('question', '')), self.full))}")
        yield indented(f"answer:\n{indented(shorten(str(event.get('answer', '')), self.full))}")

    def blocks(self, event: dict[str, Any]) -> Iterator[str]:
        kind = str(event.get("event", "?"))
        if kind in ("model_call", "tool_call", "decision", "gate_question"):
            yield from getattr(self, kind)(event)
        elif kind == "node_start":
            yield f"▶ {event.get('node', '?')}"
        elif kind == "node_end":
            halt = f" · halted: {event['halt']}" if event.get("halt") else ""
            yield f"◀ {event.get('node', '?')} · {float(event.get('seconds') or 0):.1f} s{halt}"
        elif kind == "format_error":
            yield f"{event.get('role', '?')} · unusable answer: {shorten(str(event.get('problem', '')), self.full)}"
        elif kind == "edit_action":
            number = int(event.get("index") or 0) + 1
            yield f"{event.get('role', '?')} · action {number}: {event.get('tool', '?')} {event.get('summary', '')}"
        elif kind == "finalized":
            reasons = "".join(f"\n  - {reason}" for reason in event.get("reasons") or [])
            yield f"job ended {event.get('status', '?')}{reasons}"
        else:
            details = {k: v for k, v in event.items() if k not in ("ts", "event")}
            yield f"{kind} {shorten(json.dumps(details, ensure_ascii=False, default=str), self.full)}".rstrip()


def conversation(events: list[dict[str, Any]], full: bool, start: float) -> Iterator[str]:
    """Each event as text under its time since `start`, when the trajectory began."""
    reader = Conversation(full)
    for event in events:
        offset = max(float(event.get("ts") or start) - start, 0.0)
        stamp = f"[{int(offset // 60):02d}:{offset % 60:04.1f}]"
        lines = [line for block in reader.blocks(event) for line in block.splitlines()]
        for number, line in enumerate(lines):
            yield f"{stamp} {line}" if number == 0 else " " * (len(stamp) + 1) + line


def _of_role(event: dict[str, Any], role: str) -> bool:
    node = str(event.get("node", ""))
    return event.get("role") == role or node == role or node.startswith(f"{role}_")  # tester_reproduce, …


@app.command()
@guarded
def trajectory(
    job_id: JobId,
    role: Annotated[RoleName | None, typer.Option(help="Only this role's model calls, tool calls and nodes.")] = None,
    full: Annotated[bool, typer.Option(help="Every prompt, answer and observation whole, not shortened.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the events as a JSON array.")] = False,
) -> None:
    """Read a job's trajectory as a conversation: each model call (role, tokens, time), its prompt and answer,
    the tool calls and what they returned, and the decisions at gates."""
    from swe_team.job_store import open_job_store

    settings = settings_for()
    job = open_job_store(settings).load(job_id)
    path = settings.jobs_dir / job.id / "trajectory.jsonl"
    if not path.is_file():
        raise SweTeamError(f"job {job.id} has no trajectory yet ({path})", hint="it is written once the job starts")
    events, unreadable = read_events(path)
    start = float(events[0].get("ts") or 0) if events else 0.0
    if role is not None:
        roles = sorted({str(e["role"]) for e in events if e.get("role")})
        events = [event for event in events if _of_role(event, role)]
        if not events:
            raise SweTeamError(f"no event of role {role!r} in job {job.id}", hint=f"roles in it: {', '.join(roles)}")
    if as_json:
        out.print_json(json.dumps(events, default=str))
        return
    for line in conversation(events, full, start):
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    if unreadable:
        out.print(f"({unreadable} unreadable line(s) of {path} skipped)", markup=False, soft_wrap=True)
