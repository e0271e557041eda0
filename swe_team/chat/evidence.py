"""The evidence at a gate, rendered with rich: plan, ranked locations with code, diff, tests, review, cost."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

OUTCOME_STYLE = {"passed": "green", "failed": "red", "error": "red", "skipped": "yellow"}
GATE_QUESTION = {
    "plan": "Is this the right plan?",
    "locations": "Are these the places to change?",
    "patch": "Should this patch go on?",
    "final": "Write this change as a branch in your repository?",
}


def _plan(evidence: dict[str, Any]) -> RenderableType:
    plan = evidence.get("plan", {})
    classification = evidence.get("classification", {})
    kind = classification.get("kind") or plan.get("kind") or evidence.get("kind", "")
    priority = classification.get("priority") or plan.get("priority", "")
    lines = Text.assemble(("kind: ", "dim"), str(kind), ("  priority: ", "dim"), str(priority or "-"), "\n")
    lines.append(str(plan.get("summary", "")) + "\n", style="bold")
    for number, step in enumerate(plan.get("steps", []), 1):
        lines.append(f"{number:>2}. {step}\n")
    return Panel(lines, title="plan", title_align="left")


def _locations(evidence: dict[str, Any], excerpts: list[dict[str, Any]]) -> RenderableType:
    table = Table("#", "where", "symbol", "why", title="ranked locations", title_justify="left", expand=True)
    for rank, loc in enumerate(evidence.get("locations", []), 1):
        span = f":{loc.get('start_line')}-{loc.get('end_line')}" if loc.get("start_line") else ""
        table.add_row(str(rank), f"{loc.get('path', '')}{span}", str(loc.get("symbol", "")), str(loc.get("reason", "")))
    parts: list[RenderableType] = [table]
    for excerpt in excerpts:
        if excerpt.get("missing"):
            parts.append(Text(f"{excerpt['path']}: not found in the workspace", style="yellow"))
            continue
        code = "\n".join(excerpt.get("lines", []))
        focus = excerpt.get("focus", [0, 0])
        syntax = Syntax(
            code,
            Syntax.guess_lexer(excerpt["path"], code),
            line_numbers=True,
            start_line=int(excerpt["start"]),
            highlight_lines=set(range(int(focus[0]), int(focus[1]) + 1)),
            word_wrap=True,
        )
        parts.append(Panel(syntax, title=escape(excerpt["path"]), title_align="left"))
    return Group(*parts)


def _cases(cases: list[dict[str, Any]]) -> Text:
    text = Text()
    for case in cases:
        outcome = str(case.get("outcome", "?"))
        text.append(f"  {outcome:8}", style=OUTCOME_STYLE.get(outcome, ""))
        text.append(f" {case.get('test_id', '')}\n")
    return text


def _tests(evidence: dict[str, Any]) -> RenderableType:
    repro = evidence.get("reproduction", {})
    report = evidence.get("test_report", {})
    text = Text()
    before = repro.get("before", {})
    text.append("before the change: ", style="bold")
    text.append(f"{before.get('summary', 'no reproduction run')}\n")
    text.append_text(_cases(before.get("cases", [])))
    verdict = "passed" if report.get("passed") else "failed"
    text.append("after the change:  ", style="bold")
    text.append(f"{report.get('summary', 'not run')} ", style="")
    text.append(f"[{verdict}]\n", style=OUTCOME_STYLE[verdict])
    text.append_text(_cases(report.get("target", [])))
    regressions = report.get("regressions", [])
    listed = ", ".join(regressions) if regressions else "none"
    text.append(f"regressions: {listed}\n", style="red" if regressions else "")
    return Panel(text, title="tests", title_align="left")


def _review(evidence: dict[str, Any]) -> RenderableType:
    review = evidence.get("review", {})
    if not review:
        return Text("no review yet", style="dim")
    verdict = str(review.get("verdict", "?"))
    header = Text.assemble(("verdict: ", "bold"), (verdict, "green" if verdict == "approve" else "yellow"))
    table = Table("file", "line", "severity", "finding", expand=True, show_edge=False)
    for finding in review.get("findings", []):
        table.add_row(
            str(finding.get("file", "")), str(finding.get("line") or ""), str(finding.get("severity", "")),
            str(finding.get("message", "")),
        )
    body: list[RenderableType] = [header, Text(str(review.get("summary", "")))]
    if review.get("findings"):
        body.append(table)
    return Panel(Group(*body), title="review", title_align="left")


def _patch(evidence: dict[str, Any], diff: str) -> RenderableType:
    patch = evidence.get("patch", {})
    summary = Text.assemble(
        ("change: ", "bold"), str(patch.get("summary", "")), "\n", ("root cause: ", "bold"),
        str(patch.get("root_cause", "")), "\n", ("files: ", "bold"), ", ".join(patch.get("files", [])) or "none",
        f"   coder iterations: {evidence.get('iterations', 0)}",
    )
    shown = Syntax(diff, "diff", word_wrap=True) if diff.strip() else Text("(empty diff)", style="yellow")
    return Group(summary, Panel(shown, title="diff", title_align="left"), _tests(evidence), _review(evidence))


def _cost(evidence: dict[str, Any]) -> RenderableType:
    usage = evidence.get("usage", {})
    tokens = sum(int(r.get("prompt_tokens", 0)) + int(r.get("completion_tokens", 0)) for r in usage.values())
    per_role = ", ".join(
        f"{role} {int(r.get('prompt_tokens', 0)) + int(r.get('completion_tokens', 0)):,}" for role, r in usage.items()
    )
    text = Text.assemble(
        ("spent so far: ", "dim"), f"{tokens:,} tokens ({per_role or 'none'}) · {evidence.get('elapsed', 0.0):.1f} s"
    )
    lessons = evidence.get("lessons", [])
    text.append("\nlessons from memory used: ", style="dim")
    text.append("; ".join(str(lesson) for lesson in lessons) if lessons else "none")
    for decision in evidence.get("decisions", []):
        text.append(f"\nearlier: {decision.get('gate')} gate → {decision.get('action')} {decision.get('comment', '')}")
    for note in evidence.get("notes", []):
        text.append(f"\nnote: {note}", style="yellow")
    return text


def render_screen(screen: dict[str, Any]) -> RenderableType:
    """Everything a developer needs to decide at this gate, in one screen."""
    gate = str(screen.get("gate", "?"))
    evidence = screen.get("evidence", {})
    parts: list[RenderableType] = [
        Rule(f"[bold]{gate} gate[/] · job {screen.get('job_id', '')} · {screen.get('role', '')}"),
        Text(str(evidence.get("task", "")).strip().splitlines()[0] if evidence.get("task") else "", style="italic"),
    ]
    if gate == "plan":
        parts.append(_plan(evidence))
    elif gate == "locations":
        parts.append(_locations(evidence, screen.get("excerpts", [])))
    else:
        parts.append(_patch(evidence, str(screen.get("diff", ""))))
    if gate == "final" and evidence.get("branch"):
        branch = evidence["branch"]
        parts.append(Text(f"branch {branch['name']} will be written in {branch['repo']}", style="bold yellow"))
    parts += [_cost(evidence), Text(GATE_QUESTION.get(gate, ""), style="bold")]
    return Group(*parts)
