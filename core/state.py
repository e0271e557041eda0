"""The team's state: ids, small typed results and budgets — never file contents or logs.

LangGraph validates the checkpointed values into a `TeamState` before every node and router, so a plain dict in
an older checkpoint still reads as its model. Nodes return partial updates that `stored` turns into plain JSON:
a checkpoint holds data, never a class reference. Fields without a reducer are replaced by an update; the
annotated ones accumulate as documented.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter
from pydantic_core import to_jsonable_python

from core.action_log import LoggedAction, merge_actions
from core.settings import Budgets

Status = Literal["running", "resolved", "unresolved", "failed", "rejected", "planned"]
"""`planned`: a dry run that ended with its plan and locations, as asked."""


class Plan(BaseModel):
    kind: Literal["bug", "feature", "refactor"] = Field(description="What the task is.")
    summary: str = Field(description="One or two sentences: what is wrong or wanted, and the likely cause.")
    steps: list[str] = Field(min_length=1, max_length=8, description="Ordered steps the team will take.")
    priority: Literal["low", "normal", "high"] = Field(default="normal", description="How urgent the task is.")


class Location(BaseModel):
    """A place in the repository the team should look at: what the localizer ranks and a person may edit."""

    path: str = Field(description="Repository-relative file path.")
    symbol: str = Field(default="", description="Function or Class.method to change, if known.")
    start_line: int | None = Field(default=None, description="First line of the region to change.")
    end_line: int | None = Field(default=None, description="Last line of the region to change.")
    reason: str = Field(default="", description="One line: why this location.")


LOCATIONS = TypeAdapter(list[Location])
"""Validates a list of locations a person edited."""


class Finding(BaseModel):
    file: str = Field(description="File the finding is about.")
    line: int | None = Field(default=None, description="Line in the new version of the file.")
    severity: Literal["info", "minor", "major", "blocker"] = Field(description="How serious it is.")
    message: str = Field(description="What is wrong and what to do instead.")


class Review(BaseModel):
    verdict: Literal["approve", "request_changes"] = Field(description="approve, or request_changes.")
    summary: str = Field(description="One or two sentences on the patch.")
    findings: list[Finding] = Field(default_factory=list, description="Problems found; empty when none.")


class Classification(BaseModel):
    kind: str = ""
    priority: str = "normal"
    declared: str = "auto"
    """The kind the job was started with (`auto` when the planner decided)."""


class CaseResult(BaseModel):
    test_id: str
    outcome: str
    message: str = ""
    duration_s: float = 0.0


class TestRunSummary(BaseModel):
    __test__ = False

    summary: str = ""
    cases: list[CaseResult] = []


class ReproductionRecord(BaseModel):
    """The tests the tester wrote before any edit, and how they ran then."""

    test_files: list[str] = []
    test_selectors: list[str] = []
    explanation: str = ""
    before: TestRunSummary = TestRunSummary()
    reproduced: bool = False
    """The new tests ran and at least one failed, as a reproduction should."""


class Baseline(BaseModel):
    """The repository's test run before any edit."""

    summary: str = ""
    failing: list[str] = []
    """Tests that already failed: not counted as regressions."""
    collected_ok: bool = True
    outcomes: dict[str, str] = {}
    """Each test's outcome before any edit, by id; `missing` for a test that did not exist then. Verify adds the
    tests it had to look up on the base commit."""
    collection_errors: list[str] = []
    """Files or modules that could not be collected before any edit: their tests' failures are not the patch's."""
    scope: Literal["suite", "linked"] = "suite"
    """`suite`: the whole suite ran; `linked`: it does not fit the time budget, so only `selectors` ran, and
    verify runs those plus the tests the code graph links to the change and the reproduction tests."""
    selectors: list[str] = []
    duration_s: float = 0.0


class PatchSummary(BaseModel):
    """The last coder visit's change (the diff itself stays in the workspace)."""

    summary: str = ""
    root_cause: str = ""
    files: list[str] = []
    diff_lines: int = 0


class TestVerdict(BaseModel):
    """The tester's judgement of the patch: the suite against the baseline and the reproduction tests."""

    __test__ = False

    passed: bool = False
    summary: str = ""
    command: str = ""
    target: list[CaseResult] = []
    """The reproduction tests' results."""
    regressions: list[str] = []
    failing: list[str] = []
    already_failing: list[str] = []
    """Failing tests that failed (or could not be collected) before any edit too: not the patch's fault."""
    scope: str = "suite"
    """What ran: `suite`, or `linked` (tests linked to the change and the reproduction tests)."""
    unknown_selectors: list[str] = []


class Decision(BaseModel):
    """A human decision at a gate, with what the team proposed and what it changed."""

    gate: str
    action: str
    """approve | reject | retry | edit, or edit_failed when an edited patch did not apply."""
    comment: str = ""
    at: float = 0.0
    by: str = ""
    proposal: str = ""
    accepted: str = ""
    """The developer's own version, for an edit."""
    changed: str = "nothing"


class GateOutcome(BaseModel):
    gate: str
    action: Literal["approve", "retry", "reject", "edited", "ask_again"] = "approve"


class Snapshot(BaseModel):
    node: str
    id: str


class JobInput(BaseModel):
    """What the runner starts the team graph with."""

    job_id: str = ""
    task: str = ""
    kind: str = "auto"
    """bug | feature | refactor; `auto` until intake or the planner decides."""
    approve: list[str] = []
    """Gates that ask a human (plan, locations, patch, final), and `patch-on-fail`."""
    yes_destructive: bool = False
    """--yes-destructive: write the branch into the user's repository without asking at the final gate."""
    dry_run: bool = False
    """--dry-run: end after the plan and the locations, with no edit."""
    workspace: dict[str, Any] = {}
    """`WorkspaceInfo.to_dict()` — enough to reattach after a crash."""
    started_at: float = 0.0


def merge_usage(left: dict[str, dict[str, Any]], right: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per-role usage adds up: tokens, seconds and calls of each role are summed across visits."""
    merged = {role: dict(values) for role, values in left.items()}
    for role, values in right.items():
        current = merged.setdefault(role, {})
        for key, value in values.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                current[key] = current.get(key, 0) + value
            else:
                current[key] = value
    return merged


class TeamState(JobInput):
    test_command: str = ""
    budgets: Budgets = Budgets()
    """Copied from settings at intake so routers stay pure functions of the state."""

    classification: Classification | None = None
    plan: Plan | None = None
    locations: list[Location] = []
    lessons: list[str] | None = None
    """Ids of experiences intake chose; None before intake."""
    reproduction: ReproductionRecord | None = None
    baseline: Baseline | None = None
    patch: PatchSummary | None = None
    """None until a coder visit."""
    test_report: TestVerdict | None = None
    """None until the patch was verified."""
    review: Review | None = None
    feedback: str = ""
    """What the tester, the reviewer or a person sends back to the next role."""

    search_candidates: int = 1
    """Candidate patches to make after the reproduction test (`search.candidates`, copied at intake); 1: none."""
    candidates: dict[str, Any] = {}
    """The candidate search's record (`graphs/candidates.py`): every candidate, the selection and its steps."""

    iterations: int = 0
    """Coder visits so far."""
    review_rounds: int = 0
    gate_outcome: GateOutcome | None = None
    """The last gate's answer."""

    snapshots: Annotated[list[Snapshot], operator.add] = []
    """Appended after each node that may change files; the last one is the state to resume from."""
    decisions: Annotated[list[Decision], operator.add] = []
    """Appended: every human decision at a gate."""
    usage: Annotated[dict[str, dict[str, Any]], merge_usage] = {}
    """Summed per role: prompt_tokens, completion_tokens, seconds, calls."""
    elapsed: Annotated[float, operator.add] = 0.0
    """Summed: seconds spent inside nodes (time waiting at a gate or dead after a crash is not counted)."""
    notes: Annotated[list[str], operator.add] = []
    """Appended: things the report should say (fallbacks taken, weak reproductions, budgets hit)."""
    actions: Annotated[list[LoggedAction], merge_actions] = []
    """The patch as the ordered edit actions that made it: a role's edits appended, a person's correction at a
    gate replacing the tail from the action it corrects (`core/action_log.py`)."""

    status: Status = "running"
    halt: str = ""
    """Set when the job must stop early (role failure, rejection, budget): the reason. Routers then finalize."""
    outputs: dict[str, str] = {}
    """Artefact paths written by finalize, and the branch name."""


def stored(update: dict[str, Any]) -> dict[str, Any]:
    """A node's update as plain JSON values, the form every checkpoint keeps."""
    plain: dict[str, Any] = to_jsonable_python(update)
    return plain
