"""Preference records from a person's answer at the patch gate, action by action.

A record keeps the context (the task, the files as they were before the first action), the sequence the team
proposed (`rejected`), the sequence the person settled on (`chosen`: the actions kept, then their correction) and
the divergence point: the index of the first action that differs. A retry has no chosen side until the same gate
settles a later proposal (`settled`); a rejection never has one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.action_log import LoggedAction, divergence_point

Answer = Literal["accept", "correct", "hand_edit", "reject", "retry"]
"""accept: every action kept · correct: the first k kept, action k+1 edited, replaced or dropped · hand_edit: the
whole patch edited by hand (the settled code is the chosen side) · reject · retry: sent back with a comment."""
FILE_CHARS = 40_000
"""Longest file text kept as context; longer files are cut there and listed in `files_cut`."""
STOP = "(end of patch)"
"""What an exported side says where its sequence has no action: the patch ends there."""


class ActionPreference(BaseModel):
    gate: str
    answer: Answer
    task: str
    files_before: dict[str, str] = Field(default_factory=dict)
    """Every file the actions touch, as at the job's base commit ('' for a file the actions create)."""
    files_cut: list[str] = Field(default_factory=list)
    """Files of `files_before` longer than `FILE_CHARS`, kept only up to there."""
    rejected: list[LoggedAction] = Field(default_factory=list)
    """What the team proposed, in order."""
    chosen: list[LoggedAction] | None = None
    """What the person settled on; None while unknown (a retry not yet settled, a rejection)."""
    divergence: int | None = None
    """Index of the first action that differs between chosen and rejected; None when they agree or are unknown."""
    comment: str = ""
    by: str = ""
    at: float = Field(default_factory=time.time)

    @property
    def is_pair(self) -> bool:
        """Whether the record says which action the person preferred at some point."""
        return self.chosen is not None and self.divergence is not None


def make_preference(
    gate: str,
    answer: Answer,
    task: str,
    files_before: dict[str, str],
    rejected: Sequence[LoggedAction],
    chosen: Sequence[LoggedAction] | None,
    **details: Any,
) -> ActionPreference:
    """A record with its divergence point computed and long files cut."""
    cut = sorted(path for path, text in files_before.items() if len(text) > FILE_CHARS)
    return ActionPreference(
        gate=gate,
        answer=answer,
        task=task,
        files_before={path: text[:FILE_CHARS] for path, text in files_before.items()},
        files_cut=cut,
        rejected=list(rejected),
        chosen=None if chosen is None else list(chosen),
        divergence=None if chosen is None else divergence_point(chosen, rejected),
        **details,
    )


def settled(records: Sequence[ActionPreference]) -> list[ActionPreference]:
    """The records with each retry paired with what the same gate later settled on (its chosen side)."""
    result = list(records)
    for position, record in enumerate(result):
        if record.answer != "retry" or record.chosen is not None:
            continue
        later = next((r for r in result[position + 1 :] if r.gate == record.gate and r.chosen is not None), None)
        if later is not None and later.chosen is not None:
            result[position] = record.model_copy(
                update={"chosen": later.chosen, "divergence": divergence_point(later.chosen, record.rejected)}
            )
    return result


def action_text(action: LoggedAction | None) -> str:
    """One action as the tool call a model would make: `{"tool": …, "arguments": …}`; STOP for none."""
    if action is None:
        return STOP
    return json.dumps({"tool": action.tool, "arguments": action.arguments}, ensure_ascii=False)


def sequence_text(actions: Sequence[LoggedAction]) -> str:
    """A whole sequence as one completion: one tool call per line, then STOP."""
    return "\n".join([*(action_text(action) for action in actions), STOP])


def context_text(record: ActionPreference, repo: str) -> str:
    """The prompt's context: repository, task and the files before any action."""
    files = "\n\n".join(
        f"### {path}{' (cut)' if path in record.files_cut else ''}\n```\n{text}\n```"
        for path, text in record.files_before.items()
    )
    return f"Repository: {repo}\nTask: {record.task}\n\nFiles before the change:\n\n{files or '(none)'}\n"


def actionrl_row(record: ActionPreference, repo: str, experience_id: str) -> dict[str, Any]:
    """The shared prefix, then the chosen and the rejected action at the divergence point (suffixes dropped)."""
    point = record.divergence or 0
    chosen = record.chosen or []
    prefix = record.rejected[:point]
    chosen_action = chosen[point] if point < len(chosen) else None
    rejected_action = record.rejected[point] if point < len(record.rejected) else None
    done = "\n".join(f"{n}. {action_text(action)}" for n, action in enumerate(prefix, 1)) or "(none yet)"
    return {
        "prompt": f"{context_text(record, repo)}\nActions so far:\n{done}\n\nNext action:",
        "chosen": action_text(chosen_action),
        "rejected": action_text(rejected_action),
        "divergence": point,
        "prefix": [action.model_dump(mode="json") for action in prefix],
        "chosen_action": chosen_action.model_dump(mode="json") if chosen_action else None,
        "rejected_action": rejected_action.model_dump(mode="json") if rejected_action else None,
        **_meta(record, repo, experience_id),
    }


def dpo_row(record: ActionPreference, repo: str, experience_id: str) -> dict[str, Any]:
    """The whole chosen and rejected sequences as completions of one prompt."""
    return {
        "prompt": f"{context_text(record, repo)}\nMake the change as a sequence of tool calls, one per line:",
        "chosen": sequence_text(record.chosen or []),
        "rejected": sequence_text(record.rejected),
        "divergence": record.divergence,
        **_meta(record, repo, experience_id),
    }


def _meta(record: ActionPreference, repo: str, experience_id: str) -> dict[str, Any]:
    return {
        "gate": record.gate,
        "answer": record.answer,
        "comment": record.comment,
        "repo": repo,
        "experience_id": experience_id,
    }
