"""What `swe-team eval` reads and how it grades, without a workspace: SWE-bench records and predictions, the
repository lookup, the grading rules of SWE-bench's harness, and the clear errors a user gets for bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from core.errors import RepositoryError
from harness.cli import cli_env, swe_team
from swe_team.eval.dataset import EvalInputError, load_instances, load_predictions, select
from swe_team.eval.evidence import cause_words, commonest_error, key_line
from swe_team.eval.grading import Resolution, grade, passing_without_fix
from swe_team.eval.instance_run import outcome_lookup
from swe_team.eval.repos import RepositorySource
from swe_team.eval.results import InstanceResult, TestCounts
from swe_team.eval.summary import render
from tools.test_results import IdOutcomes, TestReport

RECORD = {
    "instance_id": "acme__calc-1", "repo": "acme/calc", "base_commit": "0123456789abcdef0123456789abcdef01234567",
    "test_patch": "diff --git a/t.py b/t.py\n", "FAIL_TO_PASS": '["t.py::test_a"]', "PASS_TO_PASS": "[]",
}


def _lines(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _unwrapped(text: str) -> str:
    """A message as one line again (the terminal output wraps at its width)."""
    return " ".join(text.split())


def test_missing_xfailed_and_skipped_tests_count_as_the_official_harness_counts_them() -> None:
    outcomes = {"t.py::a": "xfailed", "t.py::b": "skipped", "t.py::c": "passed", "t.py::gone": "missing"}

    graded = grade(["t.py::a", "t.py::gone"], ["t.py::b", "t.py::c"], outcomes.__getitem__)

    assert graded.fail_to_pass.passed == ["t.py::a"] and graded.fail_to_pass.failed == ["t.py::gone"]
    assert graded.pass_to_pass.skipped == ["t.py::b"] and graded.pass_to_pass.rate == 1.0
    assert graded.resolution is Resolution.PARTIAL
    assert passing_without_fix(["t.py::a", "t.py::b", "t.py::gone"], outcomes.__getitem__) == ["t.py::a", "t.py::b"]


def test_one_failing_pass_to_pass_test_makes_it_no_and_nothing_counted_is_full() -> None:
    outcomes = {"t.py::y": "passed", "t.py::z": "error", "t.py::s": "skipped"}

    assert grade(["t.py::y"], ["t.py::s"], outcomes.__getitem__).resolution is Resolution.FULL
    assert grade(["t.py::s"], [], outcomes.__getitem__).resolution is Resolution.FULL, "0 of 0 counts as all"
    assert grade(["t.py::y"], ["t.py::z"], outcomes.__getitem__).resolution is Resolution.NO
    debris = grade(["t.py::y"], ["[100%]", "[", "t.py::s"], outcomes.__getitem__)
    assert debris.pass_to_pass.not_tests == ["[100%]", "["] and debris.resolution is Resolution.FULL


def test_a_pytest_session_that_crashed_counts_no_test_as_passed() -> None:
    ran = {"t.py::a": "passed"}

    crashed = outcome_lookup(IdOutcomes(TestReport("python -m pytest", 3, runner="pytest"), ran))
    finished = outcome_lookup(IdOutcomes(TestReport("python -m pytest", 1, runner="pytest"), ran))

    assert crashed("t.py::a") == "missing", "an internal error leaves no summary in the official log"
    assert finished("t.py::a") == "passed" and finished("t.py::b") == "missing"


def test_the_evidence_names_the_error_and_alike_failures_share_one_cause() -> None:
    collection = "tests/test_a.py:3: in <module>\n    import m\nE   AssertionError: \nE   \nE   Arrays are not equal\n"
    resolver = "Traceback (most recent call last):\n  File \"setup.py\"\nImportError: cannot import name 'Mapping'\n"
    network = "requests.exceptions.ConnectionError: ('Connection aborted.', gaierror(-3, 'name resolution'))"

    assert key_line(collection) == "AssertionError: Arrays are not equal"
    assert key_line(resolver) == "ImportError: cannot import name 'Mapping'"
    assert cause_words("the dependencies of /x/requests could not be resolved; pip said:") == cause_words(
        "the dependencies of /y/z/pylint could not be resolved; pip said:"
    )
    assert commonest_error([network, "not in the test log", network]) == "requests.exceptions.ConnectionError"


def test_a_dataset_reads_swe_bench_lists_as_json_text_or_lists_and_names_the_bad_line(tmp_path: Path) -> None:
    listed = {**RECORD, "instance_id": "acme__calc-2", "FAIL_TO_PASS": ["t.py::test_b"], "PASS_TO_PASS": None}
    instances = load_instances(_lines(tmp_path / "ok.jsonl", RECORD, listed))
    assert [i.fail_to_pass for i in instances] == [["t.py::test_a"], ["t.py::test_b"]]

    broken = {**RECORD, "instance_id": "acme__calc-3", "repo": "calc"}
    with pytest.raises(EvalInputError, match=r"bad.jsonl line 2 .*repo"):
        load_instances(_lines(tmp_path / "bad.jsonl", RECORD, broken))
    with pytest.raises(EvalInputError, match="appears twice"):
        load_instances(_lines(tmp_path / "twice.jsonl", RECORD, RECORD))
    with pytest.raises(EvalInputError, match="not in the dataset: acme__nope-9"):
        select(instances, ["acme__calc-2,acme__nope-9"])
    assert [i.instance_id for i in select(instances, ["acme__calc-2"])] == ["acme__calc-2"]


def test_predictions_come_as_json_lines_a_list_or_an_id_keyed_object(tmp_path: Path) -> None:
    keyed = tmp_path / "preds.json"
    keyed.write_text(json.dumps({"acme__calc-1": {"model_patch": "diff", "model_name_or_path": "m"}}))
    assert load_predictions(keyed) == {"acme__calc-1": "diff"}
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([{"instance_id": "acme__calc-1", "model_patch": None}]))
    assert load_predictions(listed) == {"acme__calc-1": ""}
    with pytest.raises(EvalInputError, match="needs an instance_id"):
        load_predictions(_lines(tmp_path / "bad.jsonl", {"model_patch": "diff"}))


def test_a_repository_missing_from_the_repos_folder_stops_the_eval_before_it_starts(tmp_path: Path) -> None:
    repos = tmp_path / "repos"
    (repos / "calc").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repos / "other")], check=True)
    dataset = _lines(tmp_path / "d.jsonl", {**RECORD, "patch": "diff --git a/c.py b/c.py\n"})

    with pytest.raises(RepositoryError, match=r"no clone of acme/calc .*acme\+calc/repo, .*acme__calc, calc"):
        RepositorySource(repos, tmp_path / "cache").prepared("acme/calc", "0123456")
    done = swe_team("eval", str(dataset), "--gold", "--repos", str(repos), "--out", str(tmp_path / "out"),
                    env=cli_env(tmp_path / "home", "http://127.0.0.1:9/v1"))
    assert done.returncode == 1 and f"{repos} has no clone of acme/calc" in _unwrapped(done.stderr)
    assert not (tmp_path / "out").exists()


def test_the_command_wants_exactly_one_of_gold_predictions_and_run(tmp_path: Path) -> None:
    dataset = _lines(tmp_path / "d.jsonl", RECORD)
    env = cli_env(tmp_path / "home", "http://127.0.0.1:9/v1")

    both = swe_team("eval", str(dataset), "--gold", "--run", env=env)
    fleet = swe_team("eval", str(dataset), "--gold", "--fleet", "--out", str(tmp_path / "o"), env=env)

    assert both.returncode == 1 and "exactly one of --gold, --predictions FILE or --run" in _unwrapped(both.stderr)
    assert fleet.returncode == 1
    assert "--fleet spreads the team's jobs over the workers: it needs --run" in _unwrapped(fleet.stderr)


def test_the_summary_names_what_a_partial_environment_lacks_beside_its_image() -> None:
    partial = {"python": "3.9", "status": "partial",
               "failures": ["rudolf2: no package index knows this name, left out (docker.leave_out_unknown_packages)"]}
    results = [
        InstanceResult(instance_id="acme__old-1", repo="acme/old", mode="gold", status="resolved",
                       environment={"image": "swe-team-env:a", "environment": partial}),
        InstanceResult(instance_id="acme__new-1", repo="acme/new", mode="gold", status="resolved",
                       environment={"image": "swe-team-env:b", "environment": {"status": "complete"}}),
    ]

    rows = {line.split(" | ")[0]: line for line in render("gold", results, 2).splitlines()
            if line.startswith("| swe-team-env:")}

    assert rows["| swe-team-env:a"].endswith("| PARTIAL: rudolf2: no package index knows this name, left out "
                                             "(docker.leave_out_unknown_packages) |")
    assert rows["| swe-team-env:b"].endswith("| complete |")


def test_the_gold_summary_tells_validated_instances_from_those_only_passing_with_the_fix() -> None:
    early = InstanceResult(instance_id="acme__a-1", repo="acme/a", mode="gold", status="unresolved", resolution="FULL",
                           stage="tests_before", cause="FAIL_TO_PASS tests pass without the fix",
                           fail_to_pass_before=TestCounts(total=3, passed=2, failed=1))
    all_early = early.model_copy(update={"instance_id": "acme__a-4",
                                         "fail_to_pass_before": TestCounts(total=3, passed=3)})
    results = [
        InstanceResult(instance_id="acme__a-2", repo="acme/a", mode="gold", status="resolved", resolution="FULL"),
        early,
        all_early,
        InstanceResult(instance_id="acme__a-3", repo="acme/a", mode="gold", status="unresolved", resolution="NO"),
    ]

    summary = render("gold", results, 4)

    assert "**1 of 4** validated" in summary
    assert "3 pass every FAIL_TO_PASS and PASS_TO_PASS test with the reference fix (what SWE-bench's harness " \
           "checks); 2 of them also pass some FAIL_TO_PASS tests without it, of which 1 still fail at least one " \
           "without it." in summary
