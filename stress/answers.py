"""Each malformed answer is sent to the node of its role (the graph's own node functions, on a local workspace of
the example), followed by a good answer; the node must go on without ending the role, and running it again with
the same task id (a resume) must replay the journal to the same result."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from core.state import Location, PatchSummary
from graphs.context import TeamContext
from graphs.nodes import Node, coder_node, localizer_node, planner_node, reviewer_node, tester_reproduce_node
from harness.team_context import early_state, node_runtime, team_context
from stress.malformed import Malformed, finish, malformed_answers
from stress.servers import QueueServer
from stress.table import Outcome, Trial, trial

FAMILY = "malformed answers"
NODES: dict[str, Node] = {
    "planner": planner_node,
    "localizer": localizer_node,
    "coder": coder_node,
    "reviewer": reviewer_node,
    "tester": tester_reproduce_node,
}
VOLATILE = ("usage", "elapsed", "snapshots", "duration_s")
"""Parts of a node's update that differ between two runs of the same answers (times, snapshot ids)."""


def _essence(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _essence(item) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [_essence(item) for item in value]
    return value


def answer_once(
    context: TeamContext, server: QueueServer, base: str, bad: Malformed, task_id: str
) -> tuple[Outcome, str]:
    server.load([bad.step, finish(bad.role), finish(bad.role)])
    state = early_state(
        context,
        locations=[Location(path="shop/cart.py", symbol="Cart.cheapest_price")],
        patch=PatchSummary(summary="guarded min()", files=["shop/cart.py"]),
    )
    node, runtime = NODES[bad.role], node_runtime(context, task_id)
    context.workspace.rollback(base)
    try:
        first = node(state, runtime=runtime)
    except Exception as exc:
        context.workspace.rollback(base)
        again = node(state, runtime=runtime)  # what a resume does: the failed answer is asked again
        then = "halted" if again.get("halt") else "went on"
        return "crashed", f"{type(exc).__name__}: {str(exc)[:200]}; the re-run then {then}"
    context.workspace.rollback(base)
    replayed = node(state, runtime=runtime)
    if first.get("halt"):
        return "lost", f"one answer ended the role: {first['halt'][:200]}"
    if _essence(first) != _essence(replayed):
        return "lost", "replaying the journal gave another result"
    return "recovered", ""


def answer_trials(workdir: Path, count: int, rng: random.Random) -> list[Trial]:
    server = QueueServer()
    with server:
        context = team_context(workdir, server.base_url, format_retries=3, retries=2)
        base = context.workspace.snapshot("base")
        trials = []
        for number, bad in enumerate(malformed_answers(rng, count)):
            def one(bad: Malformed = bad, task_id: str = f"t{number}") -> tuple[Outcome, str]:
                return answer_once(context, server, base, bad, task_id)

            trials.append(trial(FAMILY, f"{bad.role}: {bad.name}", one))
        return trials
