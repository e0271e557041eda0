"""Python refactorings through rope: rename, change a signature, extract a function, as `Proposal`s."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any

from core.errors import ToolError
from tools.actions.apply import Proposal
from tools.actions.argument_lists import Offsets, Replacements
from tools.actions.dynamic_access import dynamic_uses
from tools.actions.receiver_types import with_ancestors
from tools.actions.source_tree import graph_of, host_root, python_texts, rope_errors, rope_project
from tools.actions.targets import Target, bindings_in_scope, name_offset
from tools.actions.unsure_occurrences import UnsureOccurrences
from tools.base import ToolContext


def _reason(exc: Exception) -> str:
    return str(exc) or f"rope failed on a call or definition it does not understand ({type(exc).__name__})"


def proposal_from(changes: Any, proposal: Proposal) -> Proposal:
    """The new text of every file a rope change set touches; a set that moves or creates files is refused."""
    from rope.base.change import ChangeContents, ChangeSet

    pending = [changes]
    while pending:
        change = pending.pop()
        if isinstance(change, ChangeSet):
            pending.extend(change.changes)
        elif isinstance(change, ChangeContents):
            proposal.change(change.resource.path, change.resource.read(), change.new_contents)
        else:
            raise ToolError(f"{proposal.summary} would {change.get_description()}; refused, nothing was changed")
    return proposal


def _resource_and_offset(ctx: ToolContext, target: Target) -> tuple[Any, Any, int, str]:
    project = rope_project(ctx)
    resource = project.get_resource(target.path)
    source = resource.read()
    return project, resource, name_offset(source, target), source


def refuse_if_unsafe(ctx: ToolContext, target: Target, new_name: str, source: str) -> None:
    """Refusals of a rename before rope reads the code: a name bound twice in its scope, the new name taken there."""
    twice = bindings_in_scope(source, target, target.name)
    if len(twice) > 1:
        lines = ", ".join(map(str, twice))
        raise ToolError(
            f"{target.name} is defined {len(twice)} times in {target.path} (lines {lines}); callers may mean either, "
            "so nothing was changed",
            hint="remove the duplicate first, or edit with search_replace",
        )
    taken = bindings_in_scope(source, target, new_name)
    if taken:
        raise ToolError(f"{new_name} already names something in {target.path} (line {taken[0]}); nothing was changed")


def _refuse_dynamic_uses(ctx: ToolContext, target: Target, unsure: UnsureOccurrences) -> None:
    """A rename is refused when getattr-style uses may reach the target; for a method, not those whose object's
    declared classes cannot have it."""
    dynamic = dynamic_uses(python_texts(ctx, refresh=False), target, unsure.cannot_hold_target)
    if dynamic:
        raise ToolError(
            f"{target.name} is reached by name at {', '.join(dynamic)} (getattr/setattr/hasattr with a string); a "
            "rename would break it, so nothing was changed",
            hint="change those places by hand with search_replace if the rename is still wanted",
        )


def rename_python(ctx: ToolContext, target: Target, new_name: str, proposal: Proposal) -> Proposal:
    """Rope's rename, file by file over the files that mention the name; a file rope cannot read (its parser
    rejects some valid code) gets the rename on the lines the code graph links to the target, and a note. A keyword
    argument of the same name (`connect(proxy_headers=...)`) names a parameter, never the target, and stays."""
    from rope.refactor import occurrences
    from rope.refactor.rename import Rename, rename_in_module

    project, resource, offset, source = _resource_and_offset(ctx, target)
    refuse_if_unsafe(ctx, target, new_name, source)
    texts = python_texts(ctx, refresh=False)
    try:
        renamer = Rename(project, resource, offset)
        renamer.validate_changes(new_name)
        outside = _overridden_outside(project, renamer.old_pyname, target.name) if target.kind == "method" else None
        in_hierarchy = target.kind == "method" and renamer.is_method()
        unsure = UnsureOccurrences(project, texts, renamer.old_pyname, target.name, in_hierarchy)
        finder = occurrences.create_finder(
            project,
            renamer.old_name,
            renamer.old_pyname,
            unsure=unsure,
            docs=False,
            instance=renamer.old_instance,
            in_hierarchy=in_hierarchy,
            keywords=False,
        )
    except rope_errors() as exc:
        raise ToolError(f"cannot rename {target.qualname}: {_reason(exc)}; nothing was changed") from exc
    if outside:
        raise ToolError(
            f"{target.qualname} overrides {outside}.{target.name}, which is not in the repository: its callers would "
            "still call that name, so nothing was changed"
        )
    _refuse_dynamic_uses(ctx, target, unsure)
    for path in texts.mentioning(target.name):
        file = project.get_resource(path)
        try:
            renamed = rename_in_module(finder, new_name, resource=file)
        except rope_errors() as exc:
            if path == target.path:
                raise ToolError(f"cannot rename {target.qualname}: {_reason(exc)}; nothing was changed") from exc
            rename_on_linked_lines(ctx, target, new_name, path, proposal)
            continue
        if renamed is not None:
            proposal.change(path, file.read(), renamed)
    _rename_in_all(proposal, target, new_name, source)
    return proposal


def _overridden_outside(project: Any, pyname: Any, name: str) -> str | None:
    """The class outside the project (an installed package's, a builtin) whose method `name` the method overrides."""
    pyclass: Any = getattr(pyname.get_object(), "parent", None)
    if not hasattr(pyclass, "get_superclasses"):
        return None
    for base in with_ancestors(pyclass)[1:]:
        module = base.get_module() if hasattr(base, "get_module") else None
        resource = module.get_resource() if module is not None else None
        if getattr(resource, "project", None) is not project and name in base.get_attributes():
            return str(base.get_name())
    return None


def rename_on_linked_lines(ctx: ToolContext, target: Target, new_name: str, path: str, proposal: Proposal) -> None:
    """The name renamed, as a code token, on the lines of `path` the code graph links to the target."""
    graph = graph_of(ctx)
    references = graph.references(f"{target.path}:{target.qualname}") if graph is not None else []
    lines = sorted({r.line for r in references if r.source.path == path})
    if not lines:
        proposal.notes.append(f"rope could not read {path}; the code graph links nothing there to it, left as is")
        return
    before = (host_root(ctx) / path).read_text(encoding="utf-8")
    offsets = Offsets(before)
    edits = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(before).readline):
            if token.type == tokenize.NAME and token.string == target.name and token.start[0] in lines:
                start = offsets.starts[token.start[0] - 1] + token.start[1]
                edits.append((start, start + len(token.string), new_name))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise ToolError(f"cannot rename {target.qualname}: neither rope nor the tokenizer reads {path}") from exc
    replacements = Replacements(before)
    for start, end, text in edits:
        replacements.add(start, end, text)
    proposal.change(path, before, replacements.result())
    shown = ", ".join(map(str, lines[:10]))
    proposal.notes.append(f"rope could not read {path}; renamed there on the lines the code graph links to it: {shown}")


def _rename_in_all(proposal: Proposal, target: Target, new_name: str, source: str) -> None:
    """A module-level name listed in its module's `__all__` keeps being exported under the new name."""
    if "." in target.qualname:
        return
    text = proposal.after.get(target.path, source)
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            lines = text.splitlines(keepends=True)
            first, last = node.lineno - 1, node.end_lineno or node.lineno
            block = "".join(lines[first:last])
            renamed = re.sub(rf"(['\"]){re.escape(target.name)}\1", rf"\g<1>{new_name}\g<1>", block)
            proposal.change(target.path, source, "".join(lines[:first]) + renamed + "".join(lines[last:]))


def rename_parameter_python(ctx: ToolContext, target: Target, old: str, new: str, proposal: Proposal) -> Proposal:
    from rope.refactor.rename import Rename

    project, resource, offset, source = _resource_and_offset(ctx, target)
    header = re.compile(rf"\b{re.escape(old)}\b").search(source, offset + len(target.name))
    if header is None:
        raise ToolError(f"{target.qualname} has no parameter {old}")
    try:
        changes = Rename(project, resource, header.start()).get_changes(new, docs=False)
    except rope_errors() as exc:
        raise ToolError(f"cannot rename parameter {old} of {target.qualname}: {exc}") from exc
    return proposal_from(changes, proposal)


def called_at(ctx: ToolContext, target: Target) -> tuple[dict[str, list[int]], list[str]]:
    """Where the target is called: path → offsets of the called name, as rope's occurrence finder sees them (a call
    `x.name(...)` whose receiver rope cannot type counts when only one definition has the name); and the files that
    mention the name but rope could not read."""
    from rope.base import evaluate
    from rope.refactor import occurrences

    project, resource, offset, _ = _resource_and_offset(ctx, target)
    try:
        primary, pyname = evaluate.eval_location2(project.get_pymodule(resource), offset)
        texts = python_texts(ctx, refresh=False)
        unsure = UnsureOccurrences(project, texts, pyname, target.name, in_hierarchy=False)
        finder = occurrences.create_finder(project, target.name, pyname, instance=primary, unsure=unsure)
    except rope_errors() as exc:
        raise ToolError(f"cannot find the calls of {target.qualname}: {_reason(exc)}; nothing was changed") from exc
    found: dict[str, list[int]] = {}
    unread: list[str] = []
    for path in texts.mentioning(target.name):
        file = project.get_resource(path)
        try:
            offsets = [o.offset for o in finder.find_occurrences(file) if o.is_called()]
        except rope_errors():
            unread.append(file.path)
            continue
        if offsets:
            found[file.path] = offsets
    return found, unread


def extract_python(ctx: ToolContext, path: str, start: int, end: int, name: str, proposal: Proposal) -> Proposal:
    from rope.refactor.extract import ExtractMethod

    project = rope_project(ctx)
    resource = project.get_resource(path)
    lines = resource.read().splitlines(keepends=True)
    if not 1 <= start <= end <= len(lines):
        raise ToolError(f"lines {start}-{end} are not in {path} ({len(lines)} lines)")
    first = sum(len(line) for line in lines[: start - 1]) + len(lines[start - 1]) - len(lines[start - 1].lstrip())
    last = sum(len(line) for line in lines[:end]) - (len(lines[end - 1]) - len(lines[end - 1].rstrip()))
    try:
        changes = ExtractMethod(project, resource, first, last).get_changes(name)
    except rope_errors() as exc:
        raise ToolError(f"cannot extract lines {start}-{end} of {path}: {exc}; nothing was changed") from exc
    return proposal_from(changes, proposal)
