"""The team graph's nodes: intake, one node per role visit, and the deterministic verify step.

A node returns a partial state update as plain JSON (`stored`). Role failures become a `halt` reason (the routers
then finalize); failures of the model server or the workspace stop the job resumably; a model failure on the work
a gate's retry or edit sent on opens that gate again; budgets are checked after every node.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from langgraph.runtime import Runtime

from core.action_log import LoggedAction, logged
from core.edit_actions import EditAction
from core.errors import ModelError, ModelUnreachable, SweTeamError, WorkspaceError
from core.state import Snapshot, TeamState, stored
from graphs.back_to_gate import back_to_gate, sending_gate
from graphs.context import TeamContext
from graphs.lessons import brief_roles, recall
from roles import coder, localizer, planner, reviewer, tester
from roles.loop import RoleVisit
from roles.spec import role_spec
from tools.test_results import detect_test_command


class Node(Protocol):
    """A graph node: LangGraph passes the run-time context as the keyword argument `runtime`."""

    def __call__(self, state: TeamState, *, runtime: Runtime[TeamContext]) -> dict[str, Any]: ...


RoleRun = Callable[[TeamState, RoleVisit], dict[str, Any]]

INFRASTRUCTURE = (ModelUnreachable, WorkspaceError)
"""Failures of a part the job runs on, not of the work: they stop the job resumably instead of ending it."""

BUG_WORDS = re.compile(
    r"\b(bug|error|exception|traceback|crash|fails?|failing|broken|wrong|incorrect|regression|raises?)\b", re.I
)


def guess_kind(task: str) -> str:
    return "bug" if BUG_WORDS.search(task) else "feature"


def _over_budget(state: TeamState, update: dict[str, Any]) -> str:
    budgets = state.budgets
    tokens = sum(
        role.get("prompt_tokens", 0) + role.get("completion_tokens", 0)
        for source in (state.usage, update.get("usage", {}))
        for role in source.values()
    )
    if tokens > budgets.max_tokens:
        return f"token budget spent ({tokens} > {budgets.max_tokens})"
    elapsed = state.elapsed + update.get("elapsed", 0.0)
    if elapsed > budgets.max_wall_seconds:
        return f"wall-time budget spent ({elapsed:.0f} s > {budgets.max_wall_seconds:.0f} s)"
    return ""


def _finish(
    state: TeamState, context: TeamContext, name: str, update: dict[str, Any], started: float
) -> dict[str, Any]:
    """The node's update with its time and, past a budget, the halt; recorded in the trajectory."""
    update["elapsed"] = time.monotonic() - started
    if not update.get("halt") and (reason := _over_budget(state, update)):
        update["halt"] = f"{name}: {reason}"
    context.trajectory.record("node_end", node=name, halt=update.get("halt", ""), seconds=update["elapsed"])
    return stored(update)


class ActionRecorder:
    """The edit actions the tools make during one role visit, each also written to the trajectory with its place
    in the job's sequence (the state keeps them only when the visit's work is kept)."""

    def __init__(self, context: TeamContext, role: str, start: int) -> None:
        self.context, self.role, self.start = context, role, start
        self.actions: list[EditAction] = []
        context.tools.action_listeners.append(self.add)

    def add(self, action: EditAction) -> None:
        index = self.start + len(self.actions)
        self.actions.append(action)
        self.context.trajectory.record("edit_action", role=self.role, index=index, **action.model_dump(mode="json"))

    def stop(self) -> None:
        self.context.tools.action_listeners.remove(self.add)

    def logged(self) -> list[LoggedAction]:
        return logged(self.actions, self.start, self.role)


def role_node(name: str, role: str, run: RoleRun, *, snapshot: bool) -> Node:
    """A node that runs one role visit; with `snapshot`, the workspace is snapshotted after it."""

    def node(state: TeamState, *, runtime: Runtime[TeamContext]) -> dict[str, Any]:
        context = runtime.context
        started = time.monotonic()
        context.progress(role, "starting")
        context.trajectory.record("node_start", node=name)
        brief_roles(context, state)
        task = runtime.execution_info
        visit = RoleVisit(role_spec(role), context.role_services(), journal_key=task.task_id if task else name)
        sent_from = sending_gate(state)
        made = ActionRecorder(context, role, start=len(state.actions))
        try:
            update = run(state, visit)
        except ModelError as exc:
            if sent_from:
                update = back_to_gate(state, sent_from, role, exc)
                context.trajectory.record("back_to_gate", node=name, gate=sent_from, error=exc.user_message())
                if snapshot:
                    context.workspace.rollback(state.snapshots[-1].id)  # the gate shows the work it sent back
            elif isinstance(exc, INFRASTRUCTURE):
                raise  # no verdict on the task: the job stops at its checkpoint and resumes once it is back
            else:
                update = {"halt": f"{name}: {exc}"}
        except INFRASTRUCTURE:
            raise
        except SweTeamError as exc:
            update = {"halt": f"{name}: {exc}"}
        except Exception as exc:
            visit.answer_failed(exc)  # resumable, and the resume asks the model again instead of replaying
            raise
        finally:
            made.stop()
        returned = "gate_outcome" in update
        update["usage"] = visit.usage_update()
        if snapshot and not returned:
            update["snapshots"] = [Snapshot(node=name, id=context.workspace.snapshot(name))]
            update["actions"] = made.logged()
        if sent_from and not returned:
            update["gate_outcome"] = None  # the work the gate sent on is done: a later failure ends as usual
        return _finish(state, context, name, update, started)

    node.__name__ = name
    return node


def intake(state: TeamState, *, runtime: Runtime[TeamContext]) -> dict[str, Any]:
    context = runtime.context
    started = time.monotonic()
    context.progress("intake", "preparing the job")
    settings = context.settings
    update: dict[str, Any] = {
        "budgets": settings.budgets,
        "search_candidates": settings.search.candidates,
        "kind": state.kind if state.kind != "auto" else guess_kind(state.task),
        "test_command": settings.test_command or detect_test_command(context.workspace),
        "status": "running",
        "iterations": 0,
        "review_rounds": 0,
        "snapshots": [Snapshot(node="intake", id=context.workspace.snapshot("base"))],
        "lessons": recall(context, state),
    }
    return _finish(state, context, "intake", update, started)


def tester_verify(state: TeamState, *, runtime: Runtime[TeamContext]) -> dict[str, Any]:
    context = runtime.context
    started = time.monotonic()
    context.progress("tester", "verifying the patch")
    try:
        update = tester.verify(state, context.tools, context.progress)
    except INFRASTRUCTURE:
        raise
    except SweTeamError as exc:
        update = {"halt": f"tester_verify: {exc}"}
    return _finish(state, context, "tester_verify", update, started)


planner_node = role_node("planner", "planner", planner.run, snapshot=False)
localizer_node = role_node("localizer", "localizer", localizer.run, snapshot=False)
tester_reproduce_node = role_node("tester_reproduce", "tester", tester.reproduce, snapshot=True)
coder_node = role_node("coder", "coder", coder.run, snapshot=True)
reviewer_node = role_node("reviewer", "reviewer", reviewer.run, snapshot=False)
