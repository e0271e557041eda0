"""The `swe-team` command: each module of this package is a typer app; heavy imports stay inside the commands.

Top-level commands (run, jobs, chat, index …) come from nameless apps; groups (config, model …) are named apps.
"""

from __future__ import annotations

import typer

from swe_team.cli import chat, config, env, eval, fleet, graph, jobs, memory, model, workspace

app = typer.Typer(
    name="swe-team",
    help="A self-hosted team of agents (planner, localizer, coder, tester, reviewer) that fixes bugs and builds "
    "features in your repository.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for _module in (jobs, config, model, graph, workspace, env, memory, chat, fleet, eval):
    app.add_typer(_module.app)
