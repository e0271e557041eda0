"""`swe-team eval` over three fixture instances in real Docker workspaces: --gold validates all three, predictions
are graded FULL / PARTIAL / NO as SWE-bench's harness grades them, a second run resumes instead of redoing, and
--retry evaluates again what did not resolve."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from harness.cli import cli_env, swe_team
from tests.docker_fixtures import docker_client
from tests.eval_fixtures import CALC, DATES, WORDS, build, diff_of
from tests.service_fixtures import unavailable
from workspaces.docker_gc import LABEL_HOME, home_label

IDS = sorted(fixture.instance_id for fixture in (CALC, WORDS, DATES))


def _docker_env(home: Path) -> dict[str, str]:
    wheels = os.environ.get("SWE_TEAM_TEST_WHEELS", "")
    if not wheels:
        unavailable("SWE_TEAM_TEST_WHEELS is not set: run the suite with `make test`")
    docker_client()
    return cli_env(
        home, "http://127.0.0.1:9/v1",
        SWE_TEAM_WORKSPACE="docker",
        SWE_TEAM_DOCKER__PIP_DOWNLOAD_ARGS=json.dumps(["--no-index", "--find-links", wheels]),
    )


def _results(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / "results.json").read_text(encoding="utf-8")))


def test_gold_eval_validates_the_three_instances_and_writes_results_logs_and_summary(tmp_path: Path) -> None:
    env = _docker_env(tmp_path / "home")
    dataset, repos = build(tmp_path)
    out = tmp_path / "gold"

    done = swe_team(
        "eval", str(dataset), "--gold", "--repos", str(repos), "--jobs", "2", "--out", str(out), env=env, timeout=900
    )

    assert done.returncode == 0, done.stderr
    results = _results(out)
    assert results["resolved_ids"] == IDS and results["error_ids"] == [] and results["unresolved_ids"] == []
    words = results["instances"][WORDS.instance_id]
    assert words["resolution"] == "FULL"
    assert words["fail_to_pass_before"]["failed"] == 2, "the test patch alone must leave both FAIL_TO_PASS failing"
    assert words["fail_to_pass"]["passed"] == 2 and words["pass_to_pass"]["passed"] == 1
    assert words["environment"]["backend"] == "docker" and words["environment"]["image"]
    logs = out / "logs" / CALC.instance_id
    assert "FAILED   tests/test_calc.py::test_add" in (logs / "tests-before.log").read_text(encoding="utf-8")
    assert "PASSED   tests/test_calc.py::test_add" in (logs / "tests-after.log").read_text(encoding="utf-8")
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "**3 of 3** validated" in summary
    assert "| acme/dates | 1 | 1 | 0 | 0 | 100.0% |" in summary
    own = f"{LABEL_HOME}={home_label(tmp_path / 'home')}"
    assert docker_client().containers.list(all=True, filters={"label": own}) == []


def test_predictions_are_graded_full_partial_and_no_and_a_second_run_resumes(tmp_path: Path) -> None:
    env = _docker_env(tmp_path / "home")
    dataset, repos = build(tmp_path)
    records = {r["instance_id"]: r for r in map(json.loads, dataset.read_text(encoding="utf-8").splitlines())}
    broken_mul = CALC.fix["calc.py"].replace("return a * b", "return a + b")
    only_shout = WORDS.fix["words.py"].replace("text.lower()", "text")
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps({"instance_id": iid, "model_name_or_path": "m", "model_patch": p}) + "\n"
        for iid, p in (
            (CALC.instance_id, diff_of(tmp_path / "work" / "calc", {"calc.py": broken_mul})),
            (WORDS.instance_id, diff_of(tmp_path / "work" / "words", {"words.py": only_shout})),
            (DATES.instance_id, records[DATES.instance_id]["patch"]),
        )), encoding="utf-8")
    out = tmp_path / "graded"
    command = ["eval", str(dataset), "--predictions", str(predictions), "--repos", str(repos), "--out", str(out)]

    done = swe_team(*command, "--jobs", "2", env=env, timeout=900)

    assert done.returncode == 0, done.stderr
    results = _results(out)
    assert results["resolved_ids"] == [DATES.instance_id]
    assert results["unresolved_ids"] == [CALC.instance_id, WORDS.instance_id]
    calc, words = results["instances"][CALC.instance_id], results["instances"][WORDS.instance_id]
    assert calc["resolution"] == "NO" and calc["pass_to_pass"]["failing"] == ["tests/test_calc.py::test_mul"]
    assert words["resolution"] == "PARTIAL"
    assert words["fail_to_pass"]["failing"] == ["tests/test_words.py::test_whisper"]
    assert words["fail_to_pass"]["passed"] == 1, "the id SWE-bench cut at its first space matched the full test id"
    finished = {iid: (out / "logs" / iid / "result.json").stat().st_mtime_ns for iid in IDS}

    again = swe_team(*command, env=env, timeout=300)

    assert again.returncode == 0, again.stderr
    assert "3 instance(s) already finished" in " ".join(again.stderr.split())
    assert {iid: (out / "logs" / iid / "result.json").stat().st_mtime_ns for iid in IDS} == finished
    assert _results(out)["unresolved_ids"] == results["unresolved_ids"]

    retried = swe_team(*command, "--retry", "--instances", f"{WORDS.instance_id},{DATES.instance_id}", env=env)

    assert retried.returncode == 0, retried.stderr
    changed = {iid for iid in IDS if (out / "logs" / iid / "result.json").stat().st_mtime_ns != finished[iid]}
    assert changed == {WORDS.instance_id}, "--retry evaluates again only the selected instances that did not resolve"
    assert _results(out)["unresolved_ids"] == results["unresolved_ids"], "the totals still cover every instance"
    other = swe_team("eval", str(dataset), "--gold", "--repos", str(repos), "--out", str(out), env=env)
    assert other.returncode == 1 and "holds the results of another eval" in " ".join(other.stderr.split())
