"""`review_change`: the deterministic checks and the model's findings on a change, kept to the lines it touches,
duplicates merged, capped, scored."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from core.model.base import ModelClient
from core.redaction import Redactor
from core.settings import Settings
from swe_team.review.change import Change
from swe_team.review.checks import bandit_findings, dangerous_findings, secret_findings, untested_findings
from swe_team.review.findings import ReviewFinding, capped, merge_duplicates, ordered, score
from swe_team.review.graph_context import build_graph, callers_section, changed_functions, link_to_graph
from swe_team.review.model_review import ModelAnswer, ask_model
from swe_team.review.result import ReviewResult
from tools.dangerous_code import scan_diff


@dataclass
class ReviewOptions:
    max_findings: int = 25
    dangerous_code_allow: list[str] = field(default_factory=list)
    graph_cache: Any = None
    """Folder of the code graph's cache; None builds the graph without one."""
    use_graph: bool = True
    model_identity: dict[str, Any] | None = None
    """The model that answers (recorded in every output), from the pin check made before the review."""
    notes: list[str] = field(default_factory=list)
    redactor: Redactor = field(default_factory=Redactor)
    """Finds the secrets the review reports and hides them from the model (the `[redaction]` settings)."""


def on_touched_lines(change: Change, finding: ReviewFinding) -> bool:
    diff = change.file(finding.file)
    return diff is not None and any(finding.line <= line <= finding.end_line for line in diff.touched_lines)


def _deterministic_summary(findings: list[ReviewFinding], change: Change, limit: int) -> str:
    if not findings:
        return f"No findings on the {len(change.files)} changed files."
    counted = Counter(finding.severity for finding in findings)
    worst = ", ".join(
        f"{counted[name]} {name}" for name in ("blocker", "critical", "major", "minor", "info") if counted[name]
    )
    shown = f"; the {limit} that matter most are listed" if len(findings) > limit else ""
    return f"{len(findings)} findings ({worst}) on {len(change.files)} changed files{shown}."


def _linked_functions(change: Change, options: ReviewOptions) -> tuple[list[Any], list[str]]:
    functions = changed_functions(change)
    if not options.use_graph or not functions:
        return functions, []
    try:
        link_to_graph(functions, build_graph(change.repo, options.graph_cache))
    except (OSError, ValueError) as exc:
        return functions, [f"the code graph could not be built ({exc}): no callers or tests were looked up"]
    return functions, []


def review_with_settings(
    change: Change, settings: Settings, use_model: bool = True, max_findings: int | None = None
) -> ReviewResult:
    """Review `change` as `settings` say: the allowlist, the cap, the redaction rules, the graph cache, and the
    `instruct` model, checked against its pin before it is asked (a mismatch stops with `ModelPinMismatch`)."""
    options = ReviewOptions(
        max_findings=max_findings or settings.review.max_findings,
        dangerous_code_allow=list(settings.review.dangerous_code_allow),
        graph_cache=settings.home / "cache" / "codegraph",
        redactor=Redactor(settings.redaction),
    )
    if not use_model:
        return review_change(change, None, options)
    from core.model.llm import LiteLLMClient
    from core.model.pinning import identify_model

    options.model_identity = identify_model(settings, "instruct").to_dict()
    return review_change(change, LiteLLMClient(settings), options)


def review_change(change: Change, model: ModelClient | None, options: ReviewOptions) -> ReviewResult:
    """Review `change`; `model` None runs the deterministic checks only. An empty change is reviewed without
    asking the model: nothing to say, score 100."""
    started = time.monotonic()
    if not change.files:
        empty = f"{change.described} changes nothing."
        return ReviewResult(change.repo, change.described, 0, change.line_count, empty, 100, [], [], None)
    hits = scan_diff(change.diff, change.new_text, options.dangerous_code_allow)
    functions, notes = _linked_functions(change, options)
    answer = ModelAnswer()
    if model is not None:
        answer = ask_model(model, change, callers_section(functions), options.redactor)
    on_change = [finding for finding in answer.findings if on_touched_lines(change, finding)]
    found = (
        dangerous_findings(hits)
        + bandit_findings(change)
        + secret_findings(change, options.redactor)
        + on_change
        + untested_findings(change, functions)
    )
    merged = merge_duplicates(found)
    kept, over_cap = capped(merged, options.max_findings)
    identity = options.model_identity or ({"model": answer.model, "served_id": answer.model} if model else None)
    if identity is not None and answer.model:
        identity = {**identity, "answered_as": answer.model}
    return ReviewResult(
        repo=change.repo,
        described=change.described,
        files=len(change.files),
        diff_lines=change.line_count,
        summary=(answer.summary or _deterministic_summary(merged, change, options.max_findings)),
        score=score(merged),
        findings=ordered(kept),
        dangerous_code=[hit.to_dict() for hit in hits],
        model=identity,
        left_out={
            "outside_the_change": len(answer.findings) - len(on_change),
            "malformed": answer.malformed,
            "duplicates": len(found) - len(merged),
            "over_the_cap": over_cap,
        },
        seconds=time.monotonic() - started,
        notes=[*options.notes, *notes],
    )
