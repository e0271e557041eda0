"""Preference pairs from human decisions at gates: what the team proposed versus what the human accepted."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal, TextIO

from memory.experience.action_preferences import actionrl_row, dpo_row, settled
from memory.experience.record import Experience

ActionFormat = Literal["actionrl", "dpo"]


@dataclass(frozen=True)
class Divergence:
    """First point where `chosen` and `rejected` differ: character offset, 1-based line and column."""

    offset: int
    line: int
    column: int


@dataclass(frozen=True)
class PreferencePair:
    context: str
    chosen: str
    rejected: str
    divergence: Divergence
    gate: str
    repo: str
    experience_id: str
    comment: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def first_divergence(chosen: str, rejected: str) -> Divergence:
    offset = 0
    for a, b in zip(chosen, rejected, strict=False):
        if a != b:
            break
        offset += 1
    prefix = chosen[:offset]
    line = prefix.count("\n") + 1
    column = offset - (prefix.rfind("\n") + 1) + 1
    return Divergence(offset, line, column)


def _context(exp: Experience, gate: str) -> str:
    kind = exp.classification.get("kind", exp.kind)
    return f"repository: {exp.repo}\nkind: {kind}\ntask: {exp.task}\ngate: {gate}"


def preference_pairs(exp: Experience) -> list[PreferencePair]:
    """Pairs in decision order. An `edit` pairs the proposal with the human's version; a `reject` or a `retry`
    waits for the version later accepted at the same gate (by `approve` or `edit`) and pairs with it."""
    pairs: list[PreferencePair] = []
    rejected_by_gate: dict[str, list[tuple[str, str]]] = {}

    def pair(gate: str, chosen: str, rejected: str, comment: str) -> None:
        if chosen.strip() and rejected.strip() and chosen != rejected:
            pairs.append(
                PreferencePair(
                    _context(exp, gate),
                    chosen,
                    rejected,
                    first_divergence(chosen, rejected),
                    gate,
                    exp.repo,
                    exp.id,
                    comment,
                )
            )

    for decision in exp.decisions:
        waiting = rejected_by_gate.setdefault(decision.gate, [])
        if decision.action in ("reject", "retry") and not decision.accepted:
            if decision.proposal:
                waiting.append((decision.proposal, decision.comment))
            continue
        if decision.action == "comment":
            continue
        chosen = decision.accepted if decision.action in ("edit", "reject") else decision.proposal
        for proposal, comment in waiting:
            pair(decision.gate, chosen, proposal, comment)
        waiting.clear()
        if decision.action in ("edit", "reject"):
            pair(decision.gate, chosen, decision.proposal, decision.comment)
    return pairs


def export_preferences(experiences: Iterable[Experience], out: TextIO) -> int:
    """Write one JSON line per pair (context, chosen, rejected, divergence, …); returns how many."""
    written = 0
    for exp in experiences:
        for item in preference_pairs(exp):
            out.write(item.to_json() + "\n")
            written += 1
    return written


def export_action_preferences(experiences: Iterable[Experience], out: TextIO, fmt: ActionFormat) -> tuple[int, int]:
    """One JSON line per action-level record that has a chosen and a rejected side (`actionrl`: the shared prefix
    and the two actions at the divergence point; `dpo`: prompt, chosen and rejected completions). Returns (written,
    skipped): records without a divergence (an accept, a rejection, a retry never settled) are skipped."""
    row = actionrl_row if fmt == "actionrl" else dpo_row
    written = skipped = 0
    for exp in experiences:
        for record in settled(exp.action_preferences):
            if not record.is_pair:
                skipped += 1
                continue
            out.write(json.dumps(row(record, exp.repo, exp.id), ensure_ascii=False) + "\n")
            written += 1
    return written, skipped
