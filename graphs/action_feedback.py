"""A person's answer at the patch (or final) gate, action by action, and the preference record it leaves.

`keep_and_correct` applies "keep the first k actions, then my correction of action k+1 (or nothing)": the workspace
goes back to the base snapshot and the chosen actions are replayed. `remember_answer` writes every answer as an
`ActionPreference` to the job folder (`preferences/`, one file per decision, so a re-run node writes the same file);
finalize puts them in the job's lesson. A whole patch edited by hand is a correction too: the actions whose edits
survive in the settled code are the kept prefix, and the rest of the settled code is the correction.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.action_log import (
    CUT,
    DEVELOPER,
    ActionDoesNotApply,
    LoggedAction,
    apply_action,
    correction,
    cut_at,
    logged,
    replay,
    touched_files,
)
from core.edit_actions import EditAction
from core.errors import validation_problems
from core.git import git_bytes
from core.state import Decision, GateOutcome, Snapshot, TeamState
from graphs.context import TeamContext
from memory.experience.action_preferences import ActionPreference, Answer, make_preference
from tools.actions.edits import file_edits
from workspaces.base import Workspace

ACTION_GATES = ("patch", "final")
PREFERENCES_DIR = "preferences"
ANSWERS: dict[str, Answer] = {"approve": "accept", "reject": "reject", "retry": "retry"}
REPLACEMENT_FILE = ".swe-team-replacement.patch"
PATCHED_FILE = re.compile(r"^(?:\+\+\+ b/|--- a/)(.+)$", re.MULTILINE)


def _rebuild(workspace: Workspace, state: TeamState, chosen: list[LoggedAction]) -> str:
    """Put the workspace at the base snapshot plus `chosen`; '' when done, else why not (workspace restored)."""
    workspace.rollback(state.snapshots[0].id)
    paths = touched_files(state.actions, chosen)
    before = {path: workspace.read_file(path) if workspace.exists(path) else "" for path in paths}
    try:
        after = replay(before, chosen)
    except ActionDoesNotApply as exc:
        workspace.rollback(state.snapshots[-1].id)
        return exc.user_message()
    for path, text in after.items():
        if text != before[path]:
            workspace.write_file(path, text)
    return ""


def _unexplained(workspace: Workspace, state: TeamState) -> str:
    """Why the action log does not make the patch as it is (a shell command or a candidate search changed files
    outside it): keeping actions would then lose those changes. '' when it does."""
    paths = list(dict.fromkeys([*touched_files(state.actions), *_patched_files(workspace.diff())]))
    try:
        replayed = replay(base_texts(workspace, paths), state.actions)
    except ActionDoesNotApply as exc:
        return exc.user_message()
    differing = [path for path in paths if replayed.get(path, "") != _settled_text(workspace, path)]
    if differing:
        return (
            f"the patch holds changes no logged action made ({', '.join(differing[:3])}): keeping actions would "
            "lose them; edit the whole patch instead"
        )
    return ""


def _patched_files(patch: str) -> list[str]:
    return list(dict.fromkeys(path for path in PATCHED_FILE.findall(patch) if path != "/dev/null"))


def _apply_replacement(workspace: Workspace, state: TeamState, patch: str) -> tuple[str, EditAction | None]:
    """Apply a person's diff on top of the kept actions: ('', the correction it makes) or (why not, None), the
    workspace then restored."""
    paths = _patched_files(patch)
    before = {path: _settled_text(workspace, path) for path in paths}
    workspace.write_file(REPLACEMENT_FILE, patch if patch.endswith("\n") else patch + "\n")
    result = workspace.exec(f"git apply --whitespace=nowarn {REPLACEMENT_FILE}", timeout=60)
    workspace.delete_file(REPLACEMENT_FILE)
    if result.exit_code != 0:
        workspace.rollback(state.snapshots[-1].id)
        return (result.stderr or result.stdout).strip()[:500] or f"git apply exited {result.exit_code}", None
    edits = [edit for path in paths for edit in file_edits(path, before[path], _settled_text(workspace, path))]
    if not edits:
        return "", None
    created = [path for path in paths if not before[path]]
    return "", correction(edits, "the developer's replacement", created)


def _correction(decision: dict[str, Any]) -> tuple[EditAction | None, str]:
    raw = decision.get("correction")
    if raw is None:
        return None, ""
    try:
        return EditAction.model_validate(raw), ""
    except ValidationError as exc:
        return None, f"the correction is not an action: {validation_problems(exc, 'correction')}"


def keep_and_correct(
    gate: str, decision: dict[str, Any], state: TeamState, context: TeamContext, record: Decision
) -> dict[str, Any]:
    """The update for "keep the first k actions, then this correction"; asked again when it cannot be used."""
    actions, kept = state.actions, decision.get("kept")
    fix, problem = _correction(decision)
    if not isinstance(kept, int) or not 0 <= kept < len(actions):
        problem = f"keep 0 to {len(actions) - 1} of the {len(actions)} actions (keeping all of them is approve)"
    elif fix is None and not problem and kept == 0 and "correction_patch" not in decision:
        problem = "dropping every action leaves no patch: reject it instead"
    chosen = list(actions[: kept if isinstance(kept, int) else 0])
    if fix is not None:
        chosen += logged([fix], len(chosen), DEVELOPER)
    if not problem:
        problem = _unexplained(context.workspace, state) or _rebuild(context.workspace, state, chosen)
    replacement = decision.get("correction_patch")
    if not problem and isinstance(replacement, str):
        problem, fix = _apply_replacement(context.workspace, state, replacement)
        chosen += logged([fix], len(chosen), DEVELOPER) if fix is not None else []
    if problem:
        record.action, record.changed = "edit_failed", f"the corrected actions could not be used: {problem}"
        return {"gate_outcome": GateOutcome(gate=gate, action="ask_again")}
    record.accepted = context.workspace.diff()
    how = f"replaced action {len(chosen)} with yours" if fix is not None else "dropped the rest"
    record.changed = f"kept {kept} of {len(actions)} action(s) and {how}; the tests run again"
    return {
        "gate_outcome": GateOutcome(gate=gate, action="edited"),
        "snapshots": [Snapshot(node=f"{gate}_gate", id=context.workspace.snapshot(f"{gate}-actions"))],
        "actions": chosen,
    }


def base_texts(workspace: Workspace, paths: list[str]) -> dict[str, str]:
    """The files at the job's base commit ('' for a file not there yet, or not text), read from the repository the
    job started from: a Docker workspace's own history begins at a commit of its own."""
    info = workspace.info
    texts = {}
    for path in paths:
        shown = git_bytes(info.repo_path, "show", f"{info.base_commit}:{path}")
        try:
            texts[path] = shown.stdout.decode("utf-8") if shown.returncode == 0 else ""
        except UnicodeDecodeError:
            texts[path] = ""
    return texts


def _settled_text(workspace: Workspace, path: str) -> str:
    return workspace.read_file(path) if workspace.exists(path) else ""


def hand_edited(state: TeamState, workspace: Workspace, patch: str) -> list[LoggedAction]:
    """The chosen sequence after a person's own patch: the team's actions whose edits all survive in the settled
    code, up to the first that does not, then one correction making the rest of the settled code."""
    paths = list(dict.fromkeys([*touched_files(state.actions), *_patched_files(patch)]))
    base = base_texts(workspace, paths)
    settled = {path: _settled_text(workspace, path) for path in paths}
    files, kept = base, 0
    for action in state.actions:
        if not all(edit.after in settled[edit.path] for edit in action.edits if edit.after.strip()):
            break
        try:
            files = apply_action(files, action)
        except ActionDoesNotApply:
            break
        kept += 1
    edits = [edit for path in paths for edit in file_edits(path, files.get(path, ""), settled[path])]
    chosen = list(state.actions[:kept])
    if edits:
        created = [path for path in paths if not base[path]]
        fix = correction(edits, "the developer's own version of the rest of the patch", created)
        chosen += logged([fix], kept, DEVELOPER)
    return chosen


def _answer(gate: str, update: dict[str, Any]) -> Answer | None:
    action = str(update["decisions"][0]["action"])
    if action == "edit":
        return "correct" if "actions" in update else "hand_edit"
    if gate == "final" and action == "approve":
        return None  # the patch gate (or the policy) already settled the actions
    return ANSWERS.get(action)


def remember_answer(
    gate: str, decision: dict[str, Any], state: TeamState, context: TeamContext, update: dict[str, Any]
) -> dict[str, Any]:
    """Write the answer as a preference record; a hand edit also sets the action sequence to the settled one."""
    answer = _answer(gate, update) if gate in ACTION_GATES else None
    if answer is None or not (state.actions or answer == "hand_edit"):
        return update
    chosen: list[LoggedAction] | None = None
    if answer == "accept":
        chosen = list(state.actions)
    elif answer == "correct":
        chosen = [LoggedAction.model_validate(item) for item in update["actions"] if item["tool"] != CUT]
    elif answer == "hand_edit":
        chosen = hand_edited(state, context.workspace, str(decision.get("patch", "")))
        replaced = chosen or [cut_at(0)]
        update = {**update, "actions": [item.model_dump(mode="json") for item in replaced]}
    proposed = str(update["decisions"][0].get("proposal", ""))
    if unlogged := sorted(set(_patched_files(proposed)) - set(touched_files(state.actions))):
        context.trajectory.record("preference_skipped", gate=gate, answer=answer, unlogged=unlogged)
        return update  # the team's side would lack changes no logged action made: no honest pair
    files = touched_files(state.actions, chosen or [])
    record = make_preference(
        gate,
        answer,
        state.task,
        base_texts(context.workspace, files),
        state.actions,
        chosen,
        comment=str(decision.get("comment", "")),
        by=str(decision.get("by", "")),
    )
    folder = context.job_dir / PREFERENCES_DIR
    folder.mkdir(exist_ok=True)
    path = folder / f"{len(state.decisions):03d}-{gate}.json"
    path.with_suffix(".tmp").write_text(record.model_dump_json(), encoding="utf-8")
    path.with_suffix(".tmp").replace(path)
    context.trajectory.record("preference", gate=gate, answer=answer, divergence=record.divergence)
    return update


def stored_answers(job_dir: Path) -> list[ActionPreference]:
    """The job's preference records, in the order the answers were given; a file that cannot be read is left
    out (the lesson is worth more than one record)."""
    folder = job_dir / PREFERENCES_DIR
    records = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            records.append(ActionPreference.model_validate_json(path.read_bytes()))
        except ValidationError:
            continue
    return records
