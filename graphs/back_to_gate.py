"""Back to the gate: when the model fails on the work a gate's retry or edit sent on, that gate opens again.

The developer is at that gate (or will come back to it): ending the job there would lose their comment and the
work so far for a server's hiccup. The role's node returns to the gate with the reason as a note, which the gate
shows and the report keeps.
"""

from __future__ import annotations

from typing import Any

from core.errors import ModelError
from core.state import GateOutcome, TeamState

SENT_ON = ("retry", "edited")
"""Gate outcomes that send work to a role on the developer's word (an approval lets the team go on by itself)."""
NOTE_START = "model error after your "
FAILURE_CHARS = 300
"""A server's error text is cut here: the note is one line on the terminal and in the report."""


def sending_gate(state: TeamState) -> str:
    """The gate whose retry or edit sent the work the role now does; '' when no such decision is pending."""
    outcome = state.gate_outcome
    return outcome.gate if outcome is not None and outcome.action in SENT_ON else ""


def reopened_gate(state: TeamState) -> str:
    """The gate a role's failed visit returned to; '' when none (what the routers after a role read)."""
    outcome = state.gate_outcome
    return outcome.gate if outcome is not None and outcome.action == "ask_again" else ""


def _what_was_sent(state: TeamState, gate: str) -> str:
    last = state.decisions[-1] if state.decisions and state.decisions[-1].gate == gate else None
    if last is None:
        return "decision"
    if last.action == "edit":
        return "edit"
    return "comment" if last.comment else "retry"


def back_to_gate(state: TeamState, gate: str, role: str, error: ModelError) -> dict[str, Any]:
    """The update that opens `gate` again, with a one-line note of what failed and what to do."""
    failure = " ".join(str(error).split())
    if len(failure) > FAILURE_CHARS:
        failure = failure[: FAILURE_CHARS - 1].rsplit(" ", 1)[0] + " …"
    hint = f" → {error.hint}" if error.hint else ""
    note = (
        f"{NOTE_START}{_what_was_sent(state, gate)} at the {gate} gate, the {role}'s model call failed: {failure}{hint}"
    )
    return {"gate_outcome": GateOutcome(gate=gate, action="ask_again"), "notes": [note]}


def reopened_because(state: TeamState, gate: str) -> str:
    """Why `gate` asks again after a role's failed visit; '' when it asks for another reason."""
    if reopened_gate(state) != gate or not state.notes or not state.notes[-1].startswith(NOTE_START):
        return ""
    if state.decisions and state.decisions[-1].gate == gate and state.decisions[-1].action == "edit_failed":
        return ""  # the gate asks again for its own reason: the developer's edit could not be used
    return state.notes[-1]
