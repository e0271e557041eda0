"""`ask <question>` at a gate: the role answers from the evidence in one model call, without acting."""

from __future__ import annotations

import json
from typing import Any

from roles.spec import role_spec

EVIDENCE_CHARS = 12_000
HIDDEN = ("usage", "decisions", "lessons")


def question_messages(screen: dict[str, Any], question: str) -> list[dict[str, Any]]:
    gate, role = str(screen.get("gate", "")), str(screen.get("role", ""))
    evidence = {k: v for k, v in screen.get("evidence", {}).items() if k not in HIDDEN}
    parts = [f"## Evidence at the {gate} gate\n```json\n{json.dumps(evidence, indent=1, default=str)}\n```"]
    for excerpt in screen.get("excerpts", []):
        code = "\n".join(excerpt.get("lines", []))
        parts.append(f"## {excerpt.get('path')} from line {excerpt.get('start')}\n```\n{code}\n```")
    if screen.get("diff"):
        parts.append(f"## Diff\n```diff\n{screen['diff']}\n```")
    context_text = "\n\n".join(parts)[:EVIDENCE_CHARS]
    system = (
        f"You are the {role} of a software team. The developer is reviewing your work at the {gate} gate and asks "
        "a question. Answer briefly and concretely from the evidence. Do not change anything and do not call tools; "
        "the developer decides afterwards."
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"{context_text}\n\n## The developer's question\n{question}"},
    ]


def answer_question(context: Any, screen: dict[str, Any], question: str) -> str:
    """One call with the role's model alias; recorded in the trajectory. The gate stays open."""
    spec = role_spec(str(screen.get("role", "coder")))
    completion = context.model.complete(question_messages(screen, question), alias=spec.alias, role=spec.name)
    answer = completion.content.strip() or "(the model gave no answer)"
    context.trajectory.record(
        "gate_question",
        gate=screen.get("gate", ""),
        role=spec.name,
        alias=spec.alias,
        question=question,
        answer=answer,
        usage=completion.usage.to_dict(),
    )
    return str(answer)
