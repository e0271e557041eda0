"""The instruct model's reading of a diagnosis: root cause, impact, one fix command and its confidence, asked as
JSON matching `ANSWER_SCHEMA`. An answer that stays unreadable is not trusted: its confidence is 0, so it goes
to a person."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from swe_team.ci.diagnosis import Diagnosis

if TYPE_CHECKING:
    from core.model.base import ModelClient

ROLE = "ci-diagnose"
FIRST_ERROR_CHARS = 4000
TAIL_CHARS = 6000
SHOWN_FILES = 8
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "root_cause": {"type": "string", "description": "Why the build failed, in one or two sentences."},
        "impact": {"type": "string", "description": "What is broken for users or developers because of it."},
        "fix_command": {"type": "string", "description": "One shell command that fixes or verifies the fix."},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["root_cause", "impact", "fix_command", "confidence"],
}
SYSTEM_PROMPT = """You diagnose failed CI builds. You get the failing step, the first error, the files of the \
repository ranked by the evidence, and the end of the log. Answer with JSON only: root_cause (why it failed, naming \
the file and function when the evidence shows them), impact (what it breaks), fix_command (exactly one shell command \
that fixes it, or that reproduces it when no fix is certain), confidence (0 to 1: how sure you are of the root \
cause; below 0.85 a person reviews your answer)."""
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def prompt_of(diagnosis: Diagnosis) -> str:
    files = "\n".join(
        f"- {f.path} ({f.reason}){': ' + ', '.join(f.functions) if f.functions else ''}"
        for f in diagnosis.files[:SHOWN_FILES]
    )
    parts = [
        f"Tool: {diagnosis.kind} (log also shows: {', '.join(diagnosis.kinds) or 'nothing known'})",
        f"Failing step: {diagnosis.failing_step or 'not named in the log'}",
        f"Failed tests: {', '.join(diagnosis.failed_tests[:10]) or 'none named'}",
        f"First error:\n{diagnosis.first_error[:FIRST_ERROR_CHARS] or '(none found)'}",
        f"Files ranked by the evidence:\n{files or '(none)'}",
        f"End of the log ({diagnosis.total_lines} lines in all, repeats folded):\n{diagnosis.tail[-TAIL_CHARS:]}",
    ]
    return "\n\n".join(parts)


def parse_answer(content: str) -> dict[str, Any] | None:
    """The answer's fields, checked; None when it is not the JSON the schema asks for."""
    try:
        data = json.loads(_FENCE.sub("", content.strip()))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    texts = {key: data.get(key) for key in ("root_cause", "impact", "fix_command")}
    confidence = data.get("confidence")
    if not all(isinstance(value, str) for value in texts.values()) or isinstance(confidence, bool):
        return None
    if not isinstance(confidence, int | float):
        return None
    return {**texts, "confidence": min(1.0, max(0.0, float(confidence)))}


def ask_model(diagnosis: Diagnosis, client: ModelClient, attempts: int = 2) -> Diagnosis:
    """The diagnosis with the model's answer; an answer unreadable `attempts` times is recorded with confidence 0."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": prompt_of(diagnosis)},
    ]
    for _ in range(max(1, attempts)):
        completion = client.complete(messages, alias="instruct", response_schema=ANSWER_SCHEMA, role=ROLE)
        answer = parse_answer(completion.content)
        if answer is not None:
            return replace(diagnosis, **answer, confidence_from="model")
        messages += [
            {"role": "assistant", "content": completion.content[:2000]},
            {"role": "user", "content": "That was not the JSON asked for. Answer with the JSON object only."},
        ]
    note = f"the model's answer was not the JSON asked for, {max(1, attempts)} times"
    return replace(diagnosis, confidence=0.0, confidence_from="model", notes=[*diagnosis.notes, note])
