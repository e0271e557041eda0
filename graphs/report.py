"""`report.md` of a finished job: status and why, root cause, change, tests, review, decisions and usage."""

from __future__ import annotations

from typing import Any

from graphs.state import TeamState


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
    repro = state.get("reproduction", {})
    if repro:
        lines.append(f"- Reproduction tests: {', '.join(repro.get('test_selectors', [])) or 'none'}")
        lines.append(f"  - before any edit: {repro.get('before', {}).get('summary', 'not run')}")
        if repro.get("explanation"):
            lines.append(f"  - {repro['explanation']}")
    baseline = state.get("baseline", {})
    if baseline:
        lines.append(f"- Suite before any edit: {baseline.get('summary', '')}")
    report = state.get("test_report", {})
    if report:
        verdict = "pass" if report.get("passed") else "fail"
        lines.append(f"- Suite after the patch: {report.get('summary', '')} → **{verdict}**")
        for target in report.get("target", []):
            lines.append(f"  - {target.get('test_id')}: {target.get('outcome')}")
        if report.get("regressions"):
            lines.append(f"  - regressions: {', '.join(report['regressions'])}")
    return "\n".join(lines) or "No tests were run."


def _review(state: TeamState) -> str:
    review = state.get("review", {})
    if not review:
        return "No review took place."
    lines = [f"Verdict: **{review.get('verdict')}** — {review.get('summary', '')}"]
    for f in review.get("findings", []):
        lines.append(f"- `{f.get('file')}:{f.get('line') or '?'}` [{f.get('severity')}] {f.get('message')}")
    return "\n".join(lines)


def render(
    state: TeamState, status: str, reasons: list[str], outputs: dict[str, str], lessons: list[str] | None = None
) -> str:
    plan = state.get("plan", {})
    patch = state.get("patch", {})
    classification = state.get("classification", {})
    sections = [
        f"# swe-team job {state.get('job_id', '')}: **{status}**",
        "\n".join(f"- {reason}" for reason in reasons) if reasons else "",
        f"## Task\n{state.get('task', '')}",
        f"## Plan\nKind: {state.get('kind', '?')}, priority: {classification.get('priority', 'normal')}\n\n"
        f"{plan.get('summary', 'No plan was made.')}\n"
        + "\n".join(f"{i}. {step}" for i, step in enumerate(plan.get("steps", []), 1)),
        "## Locations\n"
        + (
            "\n".join(
                f"- `{loc.get('path')}` {loc.get('symbol', '')} {loc.get('reason', '')}".rstrip()
                for loc in state.get("locations", [])
            )
            or "None."
        ),
        f"## Root cause\n{patch.get('root_cause') or 'Not stated.'}",
        "## Change\n"
        + (
            f"{patch.get('summary', '')}\n\nFiles: {', '.join(patch.get('files', [])) or 'none'}"
            if patch
            else "No change was made."
        ),
        f"## Tests\n{_tests(state)}",
        f"## Review\n{_review(state)}",
        "## Decisions\n"
        + (
            "\n".join(
                f"- {d.get('gate')}: {d.get('action')} {d.get('comment', '')}".rstrip()
                for d in state.get("decisions", [])
            )
            or "No human decisions (gates: " + (", ".join(state.get("approve", [])) or "none") + ")."
        ),
        "## Lessons used\n" + ("\n".join(f"- {lesson}" for lesson in lessons) if lessons else "None."),
        "## Notes\n" + ("\n".join(f"- {note}" for note in state.get("notes", [])) or "None."),
        f"## Usage\n{_usage_table(state.get('usage', {}))}\n\nWall time in nodes: {state.get('elapsed', 0.0):.1f} s",
        "## Artefacts\n" + "\n".join(f"- {name}: `{value}`" for name, value in outputs.items()),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"
