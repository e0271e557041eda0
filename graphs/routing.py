"""Pure routers: each reads the state and names the next node. Budgets are in the state, set by intake.

After a role, a gate the role's failed visit reopened (`graphs.back_to_gate`) comes before the usual next node.
"""

from __future__ import annotations

from typing import Literal

from core.state import TeamState
from graphs.back_to_gate import reopened_gate


def _halted(state: TeamState) -> bool:
    return bool(state.halt)


def _gate_action(state: TeamState, gate: str) -> str:
    outcome = state.gate_outcome
    return outcome.action if outcome is not None and outcome.gate == gate else "approve"


def after_intake(state: TeamState) -> Literal["planner", "finalize"]:
    return "finalize" if _halted(state) else "planner"


def after_planner(state: TeamState) -> Literal["plan_gate", "finalize"]:
    return "finalize" if _halted(state) else "plan_gate"


def after_plan_gate(state: TeamState) -> Literal["planner", "localizer", "finalize"]:
    if _halted(state):
        return "finalize"
    return "planner" if _gate_action(state, "plan") == "retry" else "localizer"


def after_localizer(state: TeamState) -> Literal["plan_gate", "locations_gate", "finalize"]:
    if _halted(state):
        return "finalize"
    return "plan_gate" if reopened_gate(state) == "plan" else "locations_gate"


def after_locations_gate(state: TeamState) -> Literal["localizer", "tester_reproduce", "finalize"]:
    """A dry run ends once the locations are settled: nothing is edited."""
    if _halted(state):
        return "finalize"
    if _gate_action(state, "locations") == "retry":
        return "localizer"
    return "finalize" if state.dry_run else "tester_reproduce"


def after_reproduce(state: TeamState) -> Literal["locations_gate", "candidates", "coder", "finalize"]:
    """With `search.candidates` > 1 the first patch comes from a candidate search, later ones from the coder."""
    if _halted(state):
        return "finalize"
    if reopened_gate(state) == "locations":
        return "locations_gate"
    return "candidates" if state.search_candidates > 1 and state.iterations == 0 else "coder"


def after_candidates(state: TeamState) -> Literal["tester_verify", "coder", "finalize"]:
    """The winner is verified; with no winner the coder tries alone while iterations are left."""
    if _halted(state):
        return "finalize"
    if state.patch is None:
        return "coder" if state.iterations < state.budgets.max_iterations else "finalize"
    return "tester_verify"


def after_coder(state: TeamState) -> Literal["patch_gate", "final_gate", "tester_verify", "finalize"]:
    if _halted(state):
        return "finalize"
    return _reopened_patch_gate(state) or "tester_verify"


def _reopened_patch_gate(state: TeamState) -> Literal["patch_gate", "final_gate", ""]:
    reopened = reopened_gate(state)
    if reopened == "patch":
        return "patch_gate"
    return "final_gate" if reopened == "final" else ""


def after_verify(state: TeamState) -> Literal["reviewer", "coder", "patch_gate", "finalize"]:
    """Budget spent with failing tests → the patch gate, which passes through unless a human asked to see it."""
    if _halted(state):
        return "finalize"
    if state.test_report is not None and state.test_report.passed:
        return "reviewer"
    if state.iterations < state.budgets.max_iterations:
        return "coder"
    return "patch_gate"


def after_review(state: TeamState) -> Literal["patch_gate", "final_gate", "coder", "finalize"]:
    if _halted(state):
        return "finalize"
    if reopened := _reopened_patch_gate(state):
        return reopened
    if state.review is not None and state.review.verdict == "approve":
        return "patch_gate"
    within_budget = state.review_rounds < state.budgets.max_review_rounds
    within_iterations = state.iterations < state.budgets.max_iterations
    return "coder" if within_budget and within_iterations else "patch_gate"


def after_patch_gate(state: TeamState) -> Literal["coder", "tester_verify", "patch_gate", "final_gate", "finalize"]:
    """retry → coder; an edited patch → verified again; an edit that did not apply → asked again."""
    if _halted(state):
        return "finalize"
    action = _gate_action(state, "patch")
    if action == "retry":
        return "coder"
    if action == "edited":
        return "tester_verify"
    return "patch_gate" if action == "ask_again" else "final_gate"


def after_final_gate(state: TeamState) -> Literal["coder", "tester_verify", "final_gate", "finalize"]:
    if _halted(state):
        return "finalize"
    action = _gate_action(state, "final")
    if action == "retry":
        return "coder"
    if action == "edited":
        return "tester_verify"
    return "final_gate" if action == "ask_again" else "finalize"
