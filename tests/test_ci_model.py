"""`ci diagnose` with the model (the scripted OpenAI-compatible server over HTTP): the answer and the model that gave
it in every format; an unsure or unreadable answer waits for a person (exit 3); a pinned model that is not served
stops before any model call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.model.scripted_server import ScriptedModelServer
from swe_team.cli import app
from tests.model_fixtures import json_step, text_step

SAMPLES = Path(__file__).parent / "fixtures" / "ci_logs"
LOG = SAMPLES / "maven-surefire" / "log.txt"
SHOP = SAMPLES / "shop"
ANSWER = {
    "root_cause": "Cart.average divides by the number of prices, which is 0 for an empty cart.",
    "impact": "Checkout fails for every empty cart.",
    "fix_command": "mvn -B test -Dtest=CartTest",
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWE_TEAM_USER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SWE_TEAM_MODELS__RETRIES", "0")
    monkeypatch.setenv("SWE_TEAM_MODELS__INSTRUCT__TIMEOUT_S", "20")
    yield tmp_path / "home"


def _serve(monkeypatch: pytest.MonkeyPatch, steps: list[dict[str, object]], model: str) -> ScriptedModelServer:
    server = ScriptedModelServer({"model": model, "steps": steps}).__enter__()
    monkeypatch.setenv("SWE_TEAM_API_BASE", server.base_url)
    return server


def _diagnose(*flags: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["ci", "diagnose", "--log", str(LOG), "--repo", str(SHOP), *flags])
    return result.exit_code, result.stdout, result.stderr


def test_a_confident_answer_is_printed_with_the_model_that_gave_it(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    step = json_step({**ANSWER, "confidence": 0.93}, role="ci-diagnose")
    step["expect"]["prompt_contains"] = ["java.lang.ArithmeticException: / by zero", "Cart.java"]  # type: ignore[index]
    server = _serve(monkeypatch, [step, json_step({**ANSWER, "confidence": 0.93})], "qwen2.5-coder-7b")
    monkeypatch.setenv("SWE_TEAM_MODELS__INSTRUCT__PINNED_ID", "qwen2.5-coder-7b")
    try:
        code, stdout, _ = _diagnose("--json")
        assert code == 0, stdout
        data = json.loads(stdout)
        assert data["root_cause"] == ANSWER["root_cause"] and data["fix_command"] == ANSWER["fix_command"]
        assert (data["confidence"], data["confidence_from"], data["needs_person"]) == (0.93, "model", False)
        assert data["model"]["served_id"] == "qwen2.5-coder-7b" and data["model"]["pinned"] is True
        code, markdown, _ = _diagnose("--markdown")
        assert code == 0
        assert "**Fix:** `mvn -B test -Dtest=CartTest`" in markdown
        assert "**Model:** qwen2.5-coder-7b at " in markdown and ", pinned" in markdown
        assert server.failures == [] and server.remaining == 0
    finally:
        server.stop()
    assert list((home / "jobs").glob("*")) == []


def test_an_unsure_answer_waits_for_a_person_with_exit_3(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _serve(monkeypatch, [json_step({**ANSWER, "confidence": 0.4})], "scripted")
    try:
        code, stdout, stderr = _diagnose()
    finally:
        server.stop()
    assert code == 3, stdout + stderr
    assert "needs a person" in stdout and "marked for a person" in stderr
    listed = CliRunner().invoke(app, ["jobs", "--waiting", "--json"])
    waiting = json.loads(listed.stdout)
    assert [(job["kind"], job["gate"]) for job in waiting] == [("ci-diagnosis", "ci-diagnosis")]
    report = (home / "jobs" / waiting[0]["id"] / "report.md").read_text()
    assert ANSWER["root_cause"] in report and "java.lang.ArithmeticException: / by zero" in report
    assert "BUILD FAILURE" in report  # the end of the log is there for the person
    job_id = waiting[0]["id"]
    shown = CliRunner().invoke(app, ["show", job_id])
    assert f"answer with `swe-team ci answer {job_id} --accept|--reject`" in " ".join(shown.output.split())
    approved = CliRunner().invoke(app, ["approve", job_id])
    assert approved.exit_code == 1
    assert "is a CI diagnosis waiting for a person" in " ".join(approved.output.split())
    answered = CliRunner().invoke(app, ["ci", "answer", job_id, "--reject", "--comment", "the pom is wrong"])
    assert answered.exit_code == 0, answered.output
    assert json.loads(CliRunner().invoke(app, ["jobs", "--waiting", "--json"]).stdout) == []


def test_an_answer_that_is_never_json_is_not_trusted(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWE_TEAM_MODELS__FORMAT_RETRIES", "2")
    server = _serve(monkeypatch, [text_step("the build broke"), text_step("{not json")], "scripted")
    try:
        code, stdout, _ = _diagnose("--json")
    finally:
        server.stop()
    data = json.loads(stdout)
    assert code == 3 and data["confidence"] == 0.0 and data["root_cause"] == ""
    assert data["notes"] == ["the model's answer was not the JSON asked for, 2 times"]
    assert data["files"][0]["path"] == "src/main/java/com/shop/Cart.java"


def test_a_pinned_model_that_is_not_served_stops_before_any_call(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _serve(monkeypatch, [], "llama-3.1-8b")
    monkeypatch.setenv("SWE_TEAM_MODELS__INSTRUCT__PINNED_ID", "qwen2.5-coder-7b")
    try:
        code, _, stderr = _diagnose()
    finally:
        server.stop()
    assert code == 1
    assert "serves 'llama-3.1-8b'" in stderr and "pins 'qwen2.5-coder-7b'" in stderr
    assert "Traceback" not in stderr and server.failures == []


def test_secrets_in_the_log_reach_neither_the_model_nor_the_output(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_lines = (
        "[INFO] Downloading from https://deploy:hunter2secret@repo.example.com/maven2/pom.xml\n"
        "[ERROR] aws_access_key_id = AKIAZ7Q4M2P9X3LW8KTR was rejected\n"
    )
    log = tmp_path / "build.log"
    log.write_text(secret_lines + LOG.read_text())
    server = _serve(monkeypatch, [json_step({**ANSWER, "confidence": 0.9})], "scripted")
    try:
        result = CliRunner().invoke(app, ["ci", "diagnose", "--log", str(log), "--repo", str(SHOP), "--json"])
    finally:
        server.stop()
    sent = json.dumps(server.requests)
    assert result.exit_code == 0, result.output
    for secret in ("hunter2secret", "AKIAZ7Q4M2P9X3LW8KTR"):
        assert secret not in sent and secret not in result.stdout
    assert json.loads(result.stdout)["redacted"] == {"aws-access-key": 1, "url-password": 1}
