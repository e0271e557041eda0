"""`swe-team eval DATASET.jsonl`: validate, grade or run SWE-bench-format instances in Docker workspaces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

import swe_team.cli.job_options as opts
from core.errors import SweTeamError
from swe_team.cli.choices import WorkspaceName
from swe_team.cli.common import console, guarded, out, settings_for

app = typer.Typer()


def _mode(gold: bool, predictions: Path | None, run: bool) -> str:
    chosen = [name for name, on in (("gold", gold), ("predictions", predictions is not None), ("run", run)) if on]
    if len(chosen) != 1:
        raise SweTeamError(
            "say what to evaluate: exactly one of --gold, --predictions FILE or --run"
            + (f" (got {', '.join('--' + c for c in chosen)})" if chosen else ""),
        )
    return chosen[0]


@app.command("eval")
@guarded
def eval_command(
    dataset: Annotated[Path, typer.Argument(help="SWE-bench-format JSON Lines (or JSON) file of instances.")],
    gold: Annotated[bool, typer.Option("--gold", help="Validate the environments with the reference patches.")] = False,
    predictions: Annotated[
        Path | None, typer.Option(help="Grade these SWE-bench predictions (instance_id, model_patch).")
    ] = None,
    run: Annotated[bool, typer.Option("--run", help="Run the team on each instance, then grade its patch.")] = False,
    instances: Annotated[
        list[str] | None,
        typer.Option("--instances", "-i", help="Only these instance ids (comma-separated or repeated)."),
    ] = None,
    repos: Annotated[
        Path | None,
        typer.Option(help="Folder of clones or mirrors (owner+name/repo, owner__name, name); else clone from GitHub."),
    ] = None,
    jobs: Annotated[int, typer.Option(help="Instances evaluated at once on this machine.")] = 1,
    fleet: Annotated[bool, typer.Option("--fleet", help="--run: the team's jobs go to the fleet's workers.")] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Results folder; an existing one is resumed (default eval-<dataset>-<mode>)."),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds one test run may take.")] = 1800.0,
    retry: Annotated[
        bool, typer.Option("--retry", help="On resume, evaluate again the instances that ended unresolved or in error.")
    ] = False,
    model: opts.Model = None,
    api_base: opts.ApiBase = None,
    workspace: Annotated[
        WorkspaceName | None, typer.Option(help="Where the instances run.", show_default="the workspace setting")
    ] = None,
    candidates: Annotated[
        int | None, typer.Option(help="--run: candidate patches per instance, the best kept (best-of-N).")
    ] = None,
    parallel: opts.Parallel = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results.json when done.")] = False,
) -> None:
    """Evaluate SWE-bench-format instances: --gold validates environments with the reference fix, --predictions
    grades any system's patches, --run runs the team first. FULL / PARTIAL / NO as SWE-bench's harness grades."""
    from swe_team.eval.campaign import Campaign, EvalRequest

    mode = _mode(gold, predictions, run)
    if (candidates or parallel) and mode != "run":
        raise SweTeamError("--candidates and --parallel go with --run", hint="only a team run makes candidates")
    search: dict[str, Any] = {"search.candidates": candidates, "search.parallel": parallel}
    settings = settings_for(None, model=model, api_base=api_base, workspace=workspace, **search)
    request = EvalRequest(
        dataset=dataset,
        mode=mode,  # type: ignore[arg-type]
        out=out_dir or Path(f"eval-{dataset.stem}-{mode}"),
        instance_ids=instances or [],
        predictions=predictions,
        repos=repos,
        jobs=jobs,
        fleet=fleet,
        test_timeout=timeout,
        retry=retry,
    )
    if repos is not None and not repos.is_dir():
        raise SweTeamError(f"--repos {repos} is not a folder", hint="give the folder that holds the clones or mirrors")
    results = Campaign(request, settings, console).run()
    folder = request.out
    resolved = sum(r.status == "resolved" for r in results)
    console.print(f"{resolved} of {len(results)} {'validated' if mode == 'gold' else 'resolved'}")
    for name in ("results.json", "summary.md", "logs"):
        console.print(f"  {name:13} {folder / name}")
    if as_json:
        out.print_json(json.dumps(json.loads((folder / "results.json").read_text(encoding="utf-8"))))
