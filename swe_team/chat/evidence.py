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

from swe_team.chat.actions import actions_panel

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
        table.add_row(
            str(rank),
            Text(f"{loc.get('path', '')}{span}"),
            Text(str(loc.get("symbol", ""))),
            Text(str(loc.get("reason", ""))),
        )
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
            Text(str(finding.get("file", ""))),
            str(finding.get("line") or ""),
            Text(str(finding.get("severity", ""))),
            Text(str(finding.get("message", ""))),
        )
    body: list[RenderableType] = [header, Text(str(review.get("summary", "")))]
    if review.get("findings"):
        body.append(table)
    return Panel(Group(*body), title="review", title_align="left")


def diff_panel(diff: str) -> RenderableType:
    shown = Syntax(diff, "diff", word_wrap=True) if diff.strip() else Text("(empty diff)", style="yellow")
    return Panel(shown, title="diff", title_align="left")


def _change(evidence: dict[str, Any]) -> Text:
    patch = evidence.get("patch", {})
    return Text.assemble(
        ("change: ", "bold"),
        str(patch.get("summary", "")),
        "\n",
        ("root cause: ", "bold"),
        str(patch.get("root_cause", "")),
        "\n",
        ("files: ", "bold"),
        ", ".join(patch.get("files", [])) or "none",
        f"   coder iterations: {evidence.get('iterations', 0)}",
    )


def _dangerous_code(hits: list[dict[str, Any]]) -> RenderableType:
    """The dangerous code the patch adds: why auto-approval stopped here."""
    text = Text(
        "the patch adds dangerous code: only a person can approve it, never auto-approval "
        "(known, reviewed uses go in review.dangerous_code_allow)\n",
        style="bold red",
    )
    for hit in hits:
        text.append(f"  {hit.get('path')}:{hit.get('line')} ", style="bold")
        text.append(f"[{hit.get('rule')}] ", style="red")
        text.append(f"{hit.get('code', '')}\n")
        text.append(f"      {hit.get('why', '')}\n", style="dim")
    return Panel(text, title="dangerous code", title_align="left", border_style="red")


def _finalist_cell(finalist: dict[str, Any]) -> RenderableType:
    sets = f"test sets passed: {', '.join(finalist.get('passed_sets', [])) or 'none'}"
    if finalist.get("failed_sets"):
        sets += f"; failed: {', '.join(finalist['failed_sets'])}"
    header = Text.assemble(
        (f"{finalist.get('id')} · {finalist.get('standing')} · {finalist.get('votes', 1)} vote(s)\n", "bold"),
        f"{sets}\n",
        (f"{finalist.get('reason', '')}\n", "dim"),
        (f"{finalist.get('patch_file', '')}", "dim"),
    )
    return Group(header, Syntax(str(finalist.get("diff", "")) or "(empty diff)", "diff", word_wrap=True))


def _candidates(shown: dict[str, Any]) -> RenderableType:
    """A candidate search's two finalists side by side, the reviewer's comparison, and why the others lost."""
    finalists = shown.get("finalists", [])
    table = Table(show_header=False, expand=True, box=None)
    for _ in finalists:
        table.add_column(ratio=1)
    table.add_row(*[_finalist_cell(finalist) for finalist in finalists])
    notes = Text()
    if comparison := shown.get("comparison"):
        notes.append(f"reviewer: prefers {comparison.get('preferred')} — {comparison.get('reason')}\n")
    for other in shown.get("others", []):
        notes.append(f"{other.get('id')} {other.get('standing')}: {other.get('reason')}\n", style="dim")
    notes.append(
        "approve keeps the winner (its patch is the diff above); `pick ID` goes on with the runner-up's patch "
        "instead; `retry` sends a comment to the coder for another round",
        style="yellow",
    )
    return Panel(Group(table, notes), title="candidates", title_align="left")


def _patch(evidence: dict[str, Any], diff: str) -> RenderableType:
    parts = [_change(evidence), diff_panel(diff), _tests(evidence), _review(evidence)]
    if evidence.get("candidates", {}).get("finalists"):
        parts.insert(2, _candidates(evidence["candidates"]))
    if evidence.get("dangerous_code"):
        parts.insert(1, _dangerous_code(evidence["dangerous_code"]))
    if evidence.get("actions"):
        parts.insert(1, actions_panel(evidence["actions"]))
    return Group(*parts)


def diff_stat(diff: str) -> list[tuple[str, int, int]]:
    """(file, lines added, lines removed) for each file of a unified diff, in its order."""
    stats: list[tuple[str, int, int]] = []
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            stats.append((line.rsplit(" b/", 1)[-1], 0, 0))
        elif stats and line.startswith(("+", "-")) and not line.startswith(("+++ ", "--- ")):
            path, added, removed = stats[-1]
            stats[-1] = (path, added + line.startswith("+"), removed + line.startswith("-"))
    return stats


def _branch_summary(evidence: dict[str, Any], diff: str) -> RenderableType:
    """The final gate right after the patch gate: what the branch will hold, without the diff again."""
    report, review = evidence.get("test_report", {}), evidence.get("review", {})
    text = _change(evidence)
    text.append("\n")
    for path, added, removed in diff_stat(diff):
        text.append(f"\n  {path}  ")
        text.append(f"+{added}", style="green")
        text.append(" ")
        text.append(f"-{removed}", style="red")
    text.append(f"\n\ntests: {report.get('summary', 'not run')} · review: {review.get('verdict', 'none')}")
    for number, subject in enumerate(evidence.get("branch", {}).get("commits", []), 1):
        text.append(f"\ncommit {number}: {subject}")
    text.append("\n(the diff you just approved at the patch gate: type diff to see it again)", style="dim")
    return Panel(text, title="the branch", title_align="left")


def _just_approved_patch(evidence: dict[str, Any]) -> bool:
    decisions = evidence.get("decisions", [])
    return bool(decisions) and decisions[-1].get("gate") == "patch" and decisions[-1].get("action") == "approve"


def _cost(evidence: dict[str, Any], shown_apart: str = "") -> RenderableType:
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
        if note == shown_apart:
            continue
        text.append(f"\nnote: {note}", style="yellow")
    return text


def render_screen(screen: dict[str, Any]) -> RenderableType:
    """Everything a developer needs to decide at this gate, in one screen."""
    gate = str(screen.get("gate", "?"))
    evidence = {key: value for key, value in (screen.get("evidence") or {}).items() if value is not None}
    parts: list[RenderableType] = [
        Rule(Text.assemble((f"{gate} gate", "bold"), f" · job {screen.get('job_id', '')} · {screen.get('role', '')}")),
        Text(str(evidence.get("task", "")).strip().splitlines()[0] if evidence.get("task") else "", style="italic"),
    ]
    if gate == "plan":
        parts.append(_plan(evidence))
    elif gate == "locations":
        parts.append(_locations(evidence, screen.get("excerpts", [])))
    elif gate == "final" and _just_approved_patch(evidence):
        parts.append(_branch_summary(evidence, str(screen.get("diff", ""))))
    else:
        parts.append(_patch(evidence, str(screen.get("diff", ""))))
    if gate == "final" and evidence.get("branch"):
        branch = evidence["branch"]
        parts.append(Text(f"branch {branch['name']} will be written in {branch['repo']}", style="bold yellow"))
    parts.append(_cost(evidence, shown_apart=str(screen.get("problem", ""))))
    if screen.get("problem"):
        parts.append(problem_text(screen))
    parts.append(Text(GATE_QUESTION.get(gate, ""), style="bold"))
    return Group(*parts)


def problem_text(screen: dict[str, Any]) -> Text:
    """Why the gate asks again: the model failed on the work the last decision here sent on."""
    problem = str(screen.get("problem", ""))
    failure, arrow, hint = problem.rpartition(" → ")
    if not arrow:
        failure, hint = problem, ""
    return Text.assemble(
        (failure, "red"),
        "\n",
        (f"  → {hint}\n" if hint else "", "red"),
        (
            "the gate is still open: retry (with a comment), approve, edit or ask; or quit and answer later with "
            f"`swe-team chat {screen.get('job_id', 'JOB')}`",
            "yellow",
        ),
    )
