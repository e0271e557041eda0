"""A diagnosis as Markdown (a pull-request or merge-request comment) and for the terminal (rich)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from swe_team.ci.diagnosis import Diagnosis

if TYPE_CHECKING:
    from rich.console import Console

SHOWN_FILES = 5
EXCERPT_LINES = 40


def model_label(diagnosis: Diagnosis) -> str:
    model = diagnosis.model
    if not model:
        return "no model (--no-model)"
    name = model.get("served_id") or model.get("model", "")
    digest = f" ({model['digest']})" if model.get("digest") else ""
    return f"{name}{digest} at {model.get('api_base', '')}{', pinned' if model.get('pinned') else ''}"


def verdict(diagnosis: Diagnosis) -> str:
    sure = f"confidence {diagnosis.confidence:.2f} ({diagnosis.confidence_from})"
    if diagnosis.needs_person:
        job = f": job {diagnosis.waiting_job}" if diagnosis.waiting_job else ""
        return f"needs a person — {sure} is under {diagnosis.threshold:.2f}{job}"
    return sure


def _fenced(text: str) -> str:
    lines = text.splitlines()[-EXCERPT_LINES:]
    body = "\n".join(lines).replace("```", "`\u200b``")
    return f"```text\n{body}\n```"


def to_markdown(diagnosis: Diagnosis) -> str:
    lines = [f"### CI diagnosis: {diagnosis.kind}", ""]
    if diagnosis.needs_person:
        lines += [f"> **Needs a person:** {verdict(diagnosis)}. Treat what follows as a lead, not the answer.", ""]
    lines += [f"- **Failing step:** `{diagnosis.failing_step or 'not named in the log'}`"]
    lines += [f"- **First error:** `{diagnosis.error_line or 'none found'}`"]
    if diagnosis.failed_tests:
        lines += [f"- **Failed tests:** {', '.join(f'`{t}`' for t in diagnosis.failed_tests[:10])}"]
    if diagnosis.root_cause:
        lines += [f"- **Root cause:** {diagnosis.root_cause}", f"- **Impact:** {diagnosis.impact}"]
    if diagnosis.fix_command:
        lines += [f"- **Fix:** `{diagnosis.fix_command}`"]
    lines += [f"- **Confidence:** {verdict(diagnosis)}", f"- **Model:** {model_label(diagnosis)}", ""]
    if diagnosis.files:
        lines += ["| # | file | why | functions |", "|---|---|---|---|"]
        for rank, ranked in enumerate(diagnosis.files[:SHOWN_FILES], 1):
            functions = ", ".join(f"`{f}`" for f in ranked.functions[:3])
            lines += [f"| {rank} | `{ranked.path}` | {ranked.reason.replace('|', '/')} | {functions} |"]
        lines += [""]
    if diagnosis.first_error:
        lines += ["<details><summary>First error</summary>", "", _fenced(diagnosis.first_error), "", "</details>"]
    for note in [*diagnosis.notes, *_redaction_note(diagnosis)]:
        lines += ["", f"_{note}_"]
    return "\n".join(lines) + "\n"


def _redaction_note(diagnosis: Diagnosis) -> list[str]:
    if not diagnosis.redacted:
        return []
    kinds = ", ".join(f"{count} {kind}" for kind, count in diagnosis.redacted.items())
    return [f"secrets kept back from the model and this report: {kinds}"]


def to_json(diagnosis: Diagnosis) -> str:
    return json.dumps(diagnosis.to_dict(), indent=2)


def print_terminal(diagnosis: Diagnosis, console: Console) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    style = "yellow" if diagnosis.needs_person else "green"
    rows = [
        f"[bold]tool[/]          {escape(diagnosis.kind)}",
        f"[bold]failing step[/]  {escape(diagnosis.failing_step or 'not named in the log')}",
        f"[bold]first error[/]   {escape(diagnosis.error_line or 'none found')}",
    ]
    if diagnosis.root_cause:
        rows += [
            f"[bold]root cause[/]    {escape(diagnosis.root_cause)}",
            f"[bold]impact[/]        {escape(diagnosis.impact)}",
        ]
    if diagnosis.fix_command:
        rows += [f"[bold]fix[/]           {escape(diagnosis.fix_command)}"]
    rows += [f"[bold]confidence[/]    [{style}]{escape(verdict(diagnosis))}[/]"]
    rows += [f"[bold]model[/]         {escape(model_label(diagnosis))}"]
    console.print(Panel("\n".join(rows), title="CI diagnosis", border_style=style, expand=False))
    for rank, ranked in enumerate(diagnosis.files[:SHOWN_FILES], 1):
        functions = f" — {', '.join(ranked.functions[:3])}" if ranked.functions else ""
        console.print(f"{rank:>3}. {escape(ranked.path)}  [dim]{escape(ranked.reason + functions)}[/dim]")
    for note in [*diagnosis.notes, *_redaction_note(diagnosis)]:
        console.print(f"[dim]{escape(note)}[/dim]")
