"""`summary.md` of an eval: totals, the rate per repository, and what stopped the others, grouped by cause."""

from __future__ import annotations

from collections import defaultdict

from swe_team.eval.results import InstanceResult, Mode

HEADINGS = {
    "gold": "validated (FAIL_TO_PASS fails without the fix, everything passes with it)",
    "predictions": "resolved",
    "run": "resolved by the team",
}


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def render(mode: Mode, results: list[InstanceResult], selected: int) -> str:
    resolved = sum(r.status == "resolved" for r in results)
    lines = [
        f"# swe-team eval --{mode}",
        "",
        f"**{resolved} of {selected}** {HEADINGS[mode]} ({_rate(resolved, selected)})"
        + (f"; {selected - len(results)} not evaluated yet" if len(results) < selected else ""),
        "",
        *_official_check(mode, results),
        "| status | instances |",
        "|---|---:|",
        *(f"| {status} | {sum(r.status == status for r in results)} |"
          for status in ("resolved", "unresolved", "error", "empty_patch")),
        "",
        "## Per repository",
        "",
        "| repository | instances | resolved | unresolved | error | rate | median minutes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    by_repo: dict[str, list[InstanceResult]] = defaultdict(list)
    for result in results:
        by_repo[result.repo].append(result)
    for repo, group in sorted(by_repo.items()):
        done = sum(r.status == "resolved" for r in group)
        median = sorted(r.minutes for r in group)[len(group) // 2]
        lines.append(
            f"| {repo} | {len(group)} | {done} | {sum(r.status == 'unresolved' for r in group)} | "
            f"{sum(r.status == 'error' for r in group)} | {_rate(done, len(group))} | {median:.1f} |"
        )
    lines += ["", _failures_heading(mode), ""]
    failures = [r for r in results if r.status != "resolved" and (mode == "gold" or r.status == "error")]
    by_cause: dict[tuple[str, str], list[InstanceResult]] = defaultdict(list)
    for result in failures:
        by_cause[(result.stage, result.cause)].append(result)
    if not by_cause:
        lines += ["None.", ""]
    for (stage, cause), group in sorted(by_cause.items(), key=lambda item: (-len(item[1]), item[0])):
        lines += [f"### {stage}: {cause} ({len(group)})", ""]
        for result in sorted(group, key=lambda r: r.instance_id):
            evidence = _cell(result.detail.splitlines()[0] if result.detail else "")
            lines.append(f"- `{result.instance_id}`" + (f" — {evidence[:300]}" if evidence else ""))
        lines.append("")
    lines += _environments(results)
    lines += ["## Instances", "", "| instance | status | FAIL_TO_PASS | PASS_TO_PASS | environment s | minutes |",
              "|---|---|---:|---:|---:|---:|"]
    for r in sorted(results, key=lambda r: r.instance_id):
        lines.append(
            f"| {r.instance_id} | {r.status} {r.resolution} | {r.fail_to_pass.passed}/{r.fail_to_pass.total} | "
            f"{r.pass_to_pass.passed}/{r.pass_to_pass.total} | {r.environment_seconds:.0f} | {r.minutes:.1f} |"
        )
    return "\n".join(lines) + "\n"


def _official_check(mode: Mode, results: list[InstanceResult]) -> list[str]:
    """--gold: how many pass with the reference fix alone, the one check SWE-bench's harness makes of gold patches,
    how many of those only miss validation because listed FAIL_TO_PASS tests already pass without the fix, and how
    many of these still have a listed test that only the fix makes pass."""
    if mode != "gold":
        return []
    full = [r for r in results if r.resolution == "FULL"]
    early = [r for r in full if r.status != "resolved" and r.stage == "tests_before"]
    some_fail = sum(bool(r.fail_to_pass_before and r.fail_to_pass_before.failed) for r in early)
    return [f"{len(full)} pass every FAIL_TO_PASS and PASS_TO_PASS test with the reference fix (what SWE-bench's "
            f"harness checks); {len(early)} of them also pass some FAIL_TO_PASS tests without it, of which "
            f"{some_fail} still fail at least one without it.", ""]


def _failures_heading(mode: Mode) -> str:
    if mode == "gold":
        return "## Environment failures by cause (every instance not validated)"
    return "## Environment failures by cause (instances that could not be graded)"


def _environments(results: list[InstanceResult]) -> list[str]:
    """Per environment image: how long the first workspace took to open (the build, unless it was cached), the
    fastest one (from the cache), and what a PARTIAL environment lacks."""
    by_image: dict[str, list[InstanceResult]] = defaultdict(list)
    for result in results:
        if result.environment.get("image"):
            by_image[str(result.environment["image"])].append(result)
    if not by_image:
        return []
    lines = ["## Environments", "",
             "| image | Python | repository versions | instances | first open s | fastest open s | status |",
             "|---|---|---|---:|---:|---:|---|"]
    for image, group in sorted(by_image.items(), key=lambda item: item[1][0].repo):
        first = min(group, key=lambda r: r.finished_at - r.minutes * 60)
        versions = ", ".join(sorted({f"{r.repo} {r.version}".strip() for r in group}))
        choices = first.environment.get("environment")
        python = str(choices.get("python", "")) if isinstance(choices, dict) else ""
        lines.append(
            f"| {image} | {python} | {versions} | {len(group)} | {first.environment_seconds:.0f} | "
            f"{min(r.environment_seconds for r in group):.0f} | {_status(choices)} |"
        )
    return [*lines, ""]


def _status(choices: object) -> str:
    """`complete`, or PARTIAL and what the environment lacks."""
    if not isinstance(choices, dict) or choices.get("status") != "partial":
        return str(choices.get("status", "")) if isinstance(choices, dict) else ""
    return _cell("PARTIAL: " + "; ".join(str(failure) for failure in choices.get("failures", [])))
