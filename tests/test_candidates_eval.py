"""`swe-team eval --run --candidates N`: the whole team graph with a candidate search on an instance (the example's
bug, a scripted model), graded on tests the team never saw; the report lists the candidates."""

from __future__ import annotations

import json
from pathlib import Path

from core.model.scripted_server import ScriptedModelServer
from harness.cli import cli_env, swe_team
from harness.example import script
from tests.job_fixtures import assert_script_done
from tests.test_eval_run import _instance

CODER_FIRST_STEP = 6
REVIEWER_STEP = 9


def test_best_of_n_runs_through_eval_and_stops_once_a_candidate_passes_and_is_approved(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset.jsonl"
    dataset.write_text(json.dumps(_instance(tmp_path / "repos")) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    steps = script("shop-resolved")["steps"]
    # c1's coder, the reviewer approving c1 (search.stop_early: c2 never starts), then the usual verify and review
    model_steps = [*steps[:REVIEWER_STEP], steps[REVIEWER_STEP], steps[REVIEWER_STEP]]

    with ScriptedModelServer({"steps": model_steps}) as server:
        env = cli_env(tmp_path / "home", server.base_url)
        args = ["--run", "--repos", str(tmp_path / "repos"), "--out", str(out), "--candidates", "2", "--parallel", "1"]
        done = swe_team("eval", str(dataset), *args, env=env)
        assert_script_done(server, done.stderr)

    assert done.returncode == 0, done.stderr
    result = json.loads((out / "results.json").read_text(encoding="utf-8"))["instances"]["acme__shop-1"]
    assert result["status"] == "resolved" and result["resolution"] == "FULL", result
    job_dir = tmp_path / "home" / "jobs" / result["job_id"]
    selection = json.loads((job_dir / "candidates" / "selection.json").read_text(encoding="utf-8"))
    assert selection["stopped"] == (
        "1 of 2 candidates made: c1 passed every test and the reviewer approved it (search.stop_early)"
    )
    assert selection["selection"]["winner"] == "c1"
    report = (job_dir / "report.md").read_text(encoding="utf-8")
    assert "## Candidates" in report and "**c1** winner: the only candidate left" in report
    assert "shop/cart.py" in (job_dir / "patch.diff").read_text(encoding="utf-8")
