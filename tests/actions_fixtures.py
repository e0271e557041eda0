"""Small repositories in a real local workspace with a real code graph, for the edit-action tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.edit_actions import EditAction
from memory.codegraph import CodeGraph
from tests.workspace_fixtures import make_repo, open_workspace
from tools.base import ToolContext
from tools.registry import all_tools
from workspaces.local import LocalWorkspace


@dataclass
class ActionBench:
    context: ToolContext
    workspace: LocalWorkspace
    actions: list[EditAction] = field(default_factory=list)

    def run(self, tool: str, **arguments: Any) -> str:
        return all_tools()[tool].invoke(self.context, arguments)

    def read(self, path: str) -> str:
        return self.workspace.read_file(path)


def action_bench(where: Path, files: dict[str, str], with_graph: bool = True) -> ActionBench:
    """`files` committed in a git repository, opened as a local workspace; the graph follows every edit."""
    workspace = open_workspace(where, make_repo(where, files))
    context = ToolContext(workspace=workspace, command_timeout_s=60.0)
    bench = ActionBench(context, workspace)
    if with_graph:
        graph = CodeGraph.build(workspace.info.root, cache_dir=None, workers=1)
        context.code_graph = graph

        def follow(paths: list[str]) -> None:
            graph.update_files(paths)

        context.file_listeners.append(follow)
    context.action_listeners.append(bench.actions.append)
    return bench
