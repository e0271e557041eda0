"""`report.md` of a finished job: status and why, root cause, change, tests, review, decisions and usage."""

from __future__ import annotations

from typing import Any

from core.action_log import edit_summary
from core.redaction import Redactor
from core.state import TeamState
from workspaces.environment.record import EnvironmentRecord


def _usage_table(usage: dict[str, dict[str, Any]]) -> str:
    rows = ["| role | calls | prompt tokens | completion tokens | seconds |", "|---|---:|---:|---:|---:|"]
    total = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "seconds": 0.0}
    for role, values in usage.items():
        rows.append(
            f"| {role} | {values.get('calls', 0)} | {values.get('prompt_tokens', 0)} | "
            f"{values.get('completion_tokens', 0)} | {values.get('seconds', 0.0):.1f} |"
        )
        for key in total:
            total[key] += values.get(key, 0)
    rows.append(
        f"| **total** | {total['calls']} | {total['prompt_tokens']} | {total['completion_tokens']} | "
        f"{total['seconds']:.1f} |"
    )
    return "\n".join(rows)


def _tests(state: TeamState) -> str:
    lines = []
    if repro := state.reproduction:
        lines.append(f"- Reproduction tests: {', '.join(repro.test_selectors) or 'none'}")
        lines.append(f"  - before any edit: {repro.before.summary or 'not run'}")
        if repro.explanation:
            lines.append(f"  - {repro.explanation}")
    if state.baseline:
        lines.append(f"- Suite before any edit: {state.baseline.summary}")
    if report := state.test_report:
        lines.append(f"- Suite after the patch: {report.summary} → **{'pass' if report.passed else 'fail'}**")
        lines.extend(f"  - {target.test_id}: {target.outcome}" for target in report.target)
        if report.regressions:
            lines.append(f"  - regressions: {', '.join(report.regressions)}")
    return "\n".join(lines) or "No tests were run."


def _review(state: TeamState) -> str:
    review = state.review
    if review is None:
        return "No review took place."
    lines = [f"Verdict: **{review.verdict}** — {review.summary}"]
    lines.extend(f"- `{f.file}:{f.line or '?'}` [{f.severity}] {f.message}" for f in review.findings)
    return "\n".join(lines)


def _plan(state: TeamState) -> str:
    priority = state.classification.priority if state.classification else "normal"
    plan = state.plan
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(plan.steps, 1)) if plan else ""
    summary = plan.summary if plan else "No plan was made."
    return f"## Plan\nKind: {state.kind}, priority: {priority}\n\n{summary}\n" + steps


def _change(state: TeamState) -> str:
    patch = state.patch
    if state.dry_run:
        return "## Change\nNone: a dry run (`run --dry-run`) plans and locates, and edits nothing."
    if patch is None:
        return "## Root cause\nNot stated.\n\n## Change\nNo change was made."
    return (
        f"## Root cause\n{patch.root_cause or 'Not stated.'}\n\n"
        f"## Change\n{patch.summary}\n\nFiles: {', '.join(patch.files) or 'none'}"
    )


def _actions(state: TeamState) -> str:
    """The patch as the ordered actions that made it, with who made each (a correction is the developer's)."""
    if not state.actions:
        return ""
    lines = [
        f"{n}. `{action.tool}` ({action.role or 'team'}) {action.summary} — {edit_summary(action.edits) or 'no edit'}"
        for n, action in enumerate(state.actions, 1)
    ]
    return "## Actions\n" + "\n".join(lines)


def _environment(state: TeamState) -> str:
    """The environment's choices and reasons, for jobs in a Docker workspace (a local one uses the host's)."""
    recorded = state.workspace.get("details", {}).get("environment")
    if not recorded:
        return ""
    return _listed("Environment", EnvironmentRecord.from_dict(recorded).lines(), "")


def _candidates(state: TeamState) -> str:
    """Every candidate of a candidate search and why the winner won (`graphs/candidates.py`)."""
    record = state.candidates
    if not record:
        return ""
    selection = record.get("selection", {})
    runs = {run["id"]: run for run in record.get("runs", [])}
    lines = [f"**{v['id']}** {v['standing']}: {v['reason']}" for v in selection.get("verdicts", [])]
    lines = [
        line + (f" (temperature {runs[v['id']]['temperature']:g})" if v["id"] in runs else "")
        for line, v in zip(lines, selection.get("verdicts", []), strict=True)
    ]
    if comparison := selection.get("comparison"):
        lines.append(f"The reviewer's comparison: prefers {comparison['preferred']} — {comparison['reason']}")
    if record.get("stopped"):
        lines.append(record["stopped"])
    lines.extend(f"step: {step}" for step in selection.get("steps", []))
    return _listed("Candidates", lines, "")


def _listed(title: str, lines: list[str], empty: str) -> str:
    return f"## {title}\n" + ("\n".join(f"- {line}" for line in lines) if lines else empty)


def _redactions(counts: dict[str, int]) -> str:
    lines = [f"{kind}: {count}" for kind, count in counts.items()]
    return _listed("Redacted", lines, "Nothing looked secret.") + (
        "\n\nDistinct values replaced by `[REDACTED:<kind>]` before they reached the model, the trajectory, this "
        "report or the experience memory."
        if lines
        else ""
    )


def render(
    state: TeamState,
    status: str,
    reasons: list[str],
    outputs: dict[str, str],
    lessons: list[str] | None = None,
    redactor: Redactor | None = None,
) -> str:
    """The report, redacted by `redactor` (the job's, shared with its model client and trajectory, whose counts
    it shows), or by a fresh one."""
    redactor = redactor if redactor is not None else Redactor()
    gates = ", ".join(state.approve) or "none"
    sections = [
        f"# swe-team job {state.job_id}: **{status}**",
        "\n".join(f"- {reason}" for reason in reasons),
        f"## Task\n{state.task}",
        _plan(state),
        _listed("Locations", [f"`{loc.path}` {loc.symbol} {loc.reason}".rstrip() for loc in state.locations], "None."),
        _change(state),
        _candidates(state),
        _actions(state),
        _environment(state),
        f"## Tests\n{_tests(state)}",
        f"## Review\n{_review(state)}",
        _listed(
            "Decisions",
            [f"{d.gate}: {d.action} {d.comment}".rstrip() for d in state.decisions],
            f"No human decisions (gates: {gates}).",
        ),
        _listed("Lessons used", lessons or [], "None."),
        _listed("Notes", state.notes, "None."),
        f"## Usage\n{_usage_table(state.usage)}\n\nWall time in nodes: {state.elapsed:.1f} s",
        "## Artefacts\n" + "\n".join(f"- {name}: `{value}`" for name, value in outputs.items()),
    ]
    body = [redactor.text(section) for section in sections if section]
    body.insert(len(body) - 1, _redactions(redactor.counts()))
    return "\n\n".join(body) + "\n"
