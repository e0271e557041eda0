"""`swe-team eval --run --candidates N`: the whole team graph with a candidate search on an instance (the example's
bug, a scripted model), graded on tests the team never saw; the report lists the candidates."""

from __future__ import annotations

import json
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, swe_team
from harness.example import script
from tests.job_fixtures import assert_script_done
from tests.model_fixtures import tool_step
from tests.test_eval_run import _instance

CODER_FIRST_STEP = 6
REVIEWER_STEP = 9


def test_best_of_n_runs_through_eval_and_stops_at_the_second_candidate_once_it_passes_and_is_approved(
    tmp_path: Path,
) -> None:
    dataset = tmp_path / "dataset.jsonl"
    dataset.write_text(json.dumps(_instance(tmp_path / "repos")) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    steps = script("shop-resolved")["steps"]
    gives_up = {"summary": "I could not find the fault.", "root_cause": ""}
    # c1 submits no change; c2 fixes it and the reviewer approves (search.stop_early: c3 never starts); then the
    # winner's usual verify and review
    model_steps = [
        *steps[:CODER_FIRST_STEP],
        tool_step("submit", gives_up, role="coder"),
        *steps[CODER_FIRST_STEP:REVIEWER_STEP],
        steps[REVIEWER_STEP],
        steps[REVIEWER_STEP],
    ]

    with ScriptedModelServer({"steps": model_steps}) as server:
        env = cli_env(tmp_path / "home", server.base_url)
        args = ["--run", "--repos", str(tmp_path / "repos"), "--out", str(out), "--candidates", "3", "--parallel", "1"]
        done = swe_team("eval", str(dataset), *args, env=env)
        assert_script_done(server, done.stderr)

    assert done.returncode == 0, done.stderr
    result = json.loads((out / "results.json").read_text(encoding="utf-8"))["instances"]["acme__shop-1"]
    assert result["status"] == "resolved" and result["resolution"] == "FULL", result
    job_dir = tmp_path / "home" / "jobs" / result["job_id"]
    selection = json.loads((job_dir / "candidates" / "selection.json").read_text(encoding="utf-8"))
    assert selection["stopped"] == (
        "2 of 3 candidates made: c2 passed every test and the reviewer approved it (search.stop_early)"
    )
    assert selection["selection"]["winner"] == "c2"
    report = (job_dir / "report.md").read_text(encoding="utf-8")
    assert "## Candidates" in report and "**c2** winner: the only candidate left" in report
    assert "**c1** dropped: it changes no code once whitespace, comments and tests are set aside" in report
    assert "shop/cart.py" in (job_dir / "patch.diff").read_text(encoding="utf-8")
