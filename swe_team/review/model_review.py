"""The model's part of a review: each hunk with numbered lines and the callers of the functions it touches go in;
findings come back as JSON, checked one by one (whatever a model sends is untrusted).

A change too large for one request is sent in parts, whole files each, and the parts' answers are joined. Secrets
in the hunks are replaced before the model reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from core.model.base import Completion, ModelClient
from core.redaction import Redactor
from swe_team.review.change import Change
from swe_team.review.checks import lines_without_secrets
from swe_team.review.findings import ReviewFinding, Severity
from tools.diff_lines import FileDiff

ROLE = "review"
TEXT_LIMITS = {"title": 200, "body": 2000, "suggestion": 2000, "category": 40}
"""Characters of each text a model sends that a finding keeps."""
CHARS_PER_TOKEN = 3
RESERVED_TOKENS = 3000
"""The instructions, the callers and the answer, out of the context window."""
INSTRUCTIONS = """You review a code change the way a senior engineer does before it is merged.
Look for what breaks at run time: None/null dereferences, unhandled errors and edge cases, race conditions and
shared state, resources (files, sockets, locks, processes) not released, wrong logic, security problems.
Ignore formatting, naming and style: linters handle those.
Each hunk shows its lines with their number in the NEW file; removed lines have no number.
Report only problems on lines the change adds or touches, citing those numbers; say nothing you are unsure of
rather than guess. An empty list of findings is a good answer for a good change.
Answer with JSON: {"summary": one or two sentences on the change, "findings": [...]}."""


class ModelFinding(BaseModel):
    file: str = Field(description="The file's path as the diff names it.")
    line: int = Field(ge=1, description="First line of the problem, a number shown in the hunk.")
    end_line: int | None = Field(default=None, ge=1, description="Last line of the problem.")
    severity: Severity = Field(description="info, minor, major, critical or blocker.")
    category: str = Field(description="correctness, null-safety, concurrency, resource-leak, error-handling, ...")
    title: str = Field(description="The problem in a few words.")
    body: str = Field(description="What goes wrong, when and why.")
    suggestion: str = Field(default="", description="The change that fixes it.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure you are, 0 to 1.")


class ModelReview(BaseModel):
    summary: str = Field(description="One or two sentences on the change.")
    findings: list[ModelFinding] = Field(default_factory=list, description="Problems found; empty when none.")


@dataclass
class ModelAnswer:
    summary: str = ""
    findings: list[ReviewFinding] = field(default_factory=list)
    malformed: int = 0
    """Findings the model sent that were not valid (left out)."""
    model: str = ""
    """The model id the server answered with."""
    calls: int = 0


def file_section(diff: FileDiff, redactor: Redactor) -> str:
    """The file's hunks, numbered, with secrets hidden."""
    texts = lines_without_secrets([line.text for hunk in diff.hunks for line in hunk.lines], redactor)
    shown = []
    for hunk in diff.hunks:
        shown.append(hunk.numbered(texts[: len(hunk.lines)]))
        texts = texts[len(hunk.lines) :]
    hunks = "\n   ...\n".join(shown)
    return f"### {diff.path} ({diff.status})\n```\n{hunks}\n```"


def parts(change: Change, budget_chars: int, redactor: Redactor) -> list[list[str]]:
    """The files' sections grouped so each group fits `budget_chars` (a larger file goes alone, cut)."""
    groups: list[list[str]] = [[]]
    used = 0
    for diff in change.files:
        if not diff.hunks:
            continue
        section = file_section(diff, redactor)[:budget_chars]
        if groups[-1] and used + len(section) > budget_chars:
            groups.append([])
            used = 0
        groups[-1].append(section)
        used += len(section)
    return [group for group in groups if group]


def _findings(raw: Any, answer: ModelAnswer) -> None:
    for item in raw if isinstance(raw, list) else []:
        try:
            found = ModelFinding.model_validate(item)
        except ValidationError:
            answer.malformed += 1
            continue
        end = max(found.line, found.end_line or found.line)
        fields = found.model_dump(exclude={"end_line"})
        fields.update({key: str(fields[key])[:limit] for key, limit in TEXT_LIMITS.items()})
        answer.findings.append(ReviewFinding(**fields, end_line=end, sources=["model"]))


def _read(completion: Completion, answer: ModelAnswer) -> None:
    answer.calls += 1
    answer.model = answer.model or completion.model
    try:
        data = json.loads(completion.content)
    except ValueError:
        answer.malformed += 1
        return
    if not isinstance(data, dict):
        answer.malformed += 1
        return
    if isinstance(data.get("summary"), str) and data["summary"].strip():
        answer.summary = " ".join(filter(None, (answer.summary, data["summary"].strip())))
    _findings(data.get("findings"), answer)


def ask_model(
    client: ModelClient, change: Change, callers: str, redactor: Redactor, alias: str = "instruct"
) -> ModelAnswer:
    """The model's summary and findings on the change (on any line: the caller keeps the touched ones)."""
    budget = max(4000, (client.context_window(alias) - RESERVED_TOKENS) * CHARS_PER_TOKEN - len(callers))
    answer = ModelAnswer()
    schema = ModelReview.model_json_schema()
    for group in parts(change, budget, redactor):
        context = f"\n\nCallers of the functions this change touches:\n{redactor.text(callers)}" if callers else ""
        messages = [
            {"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": f"The change ({change.described}):\n\n" + "\n\n".join(group) + context},
        ]
        _read(client.complete(messages, alias=alias, response_schema=schema, role=ROLE), answer)
    return answer
