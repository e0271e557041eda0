"""No secret leaves the process: the bytes the model server receives, the trajectory file, the experience store on
disk and in Redis, and the report, all carry placeholders instead; the report counts what was kept back."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import litellm  # noqa: F401 - imported once per test process, as the other model tests do (it takes seconds)
import pytest

from benchmarks.redaction_corpus import samples
from core.model.llm import LiteLLMClient
from core.model.scripted_server import ScriptedModelServer
from core.redaction import RedactionSettings, Redactor
from core.state import TeamState
from core.trajectory import Trajectory
from graphs.report import render
from memory.experience import HumanDecision, open_store
from memory.experience.redis_store import RedisExperienceStore
from memory.experience.store import ExperienceStore
from tests.experience_fixtures import lesson, settings_for
from tests.model_fixtures import VIEW_FILE_TOOL, text_step
from tests.model_fixtures import settings_for as model_settings_for

SAMPLES = samples(1, seed=11)
SECRETS = [sample.secret for sample in SAMPLES]
AWS_KEY = "AKIAQ3EGRTB7YXNM4PZK"
SLACK = "xoxb-20394857612-20394857613-k3j4h5g6f7d8s9a0q1w2e3r4"
BASIC_PASSWORD = "Zk3!mPq9vLw2"


def leaked(data: bytes | str) -> list[str]:
    """The secrets (or lines of a key's body) found in `data`, in its raw or JSON-escaped form."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    found = []
    for secret in SECRETS:
        parts = [secret, json.dumps(secret)[1:-1]]
        parts += [line for line in secret.replace("\\n", "\n").splitlines() if len(line) >= 16 and "-----" not in line]
        found += [part for part in parts if part in text]
    return found


def test_the_model_server_receives_no_secret_in_any_message(tmp_path: Path) -> None:
    record = tmp_path / "received.jsonl"
    call_id = "call_7"
    messages = [
        {"role": "system", "content": "You fix builds."},
        {"role": "user", "content": "The build log:\n" + "\n".join(sample.text for sample in SAMPLES)},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "view_file", "arguments": json.dumps({"path": SAMPLES[0].text})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": SAMPLES[-1].text},
    ]
    redactor = Redactor()
    with ScriptedModelServer({"steps": [text_step("the token expired")]}, record_path=record) as server:
        settings = model_settings_for(server.base_url, tmp_path)
        LiteLLMClient(settings, backoff_s=0.01, redactor=redactor).complete(messages, tools=[VIEW_FILE_TOOL])
    received = record.read_bytes()
    assert leaked(received) == []
    assert b"[REDACTED:aws-access-key]" in received
    assert json.loads(received)["messages"][-1]["tool_call_id"] == call_id
    assert set(redactor.counts()) >= {sample.label for sample in SAMPLES}


def test_the_trajectory_file_holds_no_secret(tmp_path: Path) -> None:
    trajectory = Trajectory(tmp_path / "trajectory.jsonl")
    trajectory.record("model_call", role="coder", messages=[{"role": "user", "content": SAMPLES[1].text}])
    trajectory.record("tool", output={"stdout": [sample.text for sample in SAMPLES]}, path=tmp_path / SLACK)
    written = trajectory.path.read_bytes()
    assert leaked(written) == []
    assert SLACK not in written.decode()
    assert b"[REDACTED:slack-token]" in written
    assert [event["event"] for event in trajectory.events()] == ["model_call", "tool"]


def test_the_report_shows_what_was_kept_back_by_kind(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.redact(f"export AWS_ACCESS_KEY_ID={AWS_KEY}; slack {SLACK}; again {AWS_KEY}")
    state = TeamState(job_id="j1", task=f"deploy fails with key {AWS_KEY} and postgres://app:{BASIC_PASSWORD}@db/x")
    report = render(state, "unresolved", ["the tests still fail"], {}, redactor=redactor)
    assert AWS_KEY not in report and BASIC_PASSWORD not in report
    section = report.split("## Redacted\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == ["- aws-access-key: 1", "- slack-token: 1", "- url-password: 1"]


def test_a_report_without_secrets_says_so() -> None:
    report = render(TeamState(job_id="j2", task="checkout fails on an empty cart"), "resolved", [], {})
    assert "## Redacted\nNothing looked secret." in report


@pytest.fixture(params=["sqlite", "redis"])
def store_and_prefix(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ExperienceStore, bytes]]:
    """A store opened as a job opens it (e-mails redacted too), on each backend, and its Redis key prefix."""
    backend = str(request.param)
    url = request.getfixturevalue("redis_url") if backend == "redis" else ""
    prefix = f"test-redact:{uuid.uuid4().hex[:8]}"
    settings = settings_for(tmp_path, backend, url, redaction=RedactionSettings(emails=True))
    store = open_store(settings, key_prefix=prefix)
    yield store, prefix.encode()
    store.close()


def _everything_stored(store: ExperienceStore, prefix: bytes, home: Path) -> bytes:
    """Every key and value under the prefix in Redis, or the SQLite file with its write-ahead log."""
    if isinstance(store, RedisExperienceStore):
        client = store.client
        chunks: list[bytes] = []
        for key in client.scan_iter(match=prefix + b"*"):
            chunks.append(key)
            kind = client.type(key)
            if kind == b"hash":
                chunks += [part for pair in client.hgetall(key).items() for part in pair]
            elif kind == b"zset":
                chunks += [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
            elif kind == b"string":
                chunks.append(client.get(key))
        return b"\n".join(chunks)
    return b"".join(path.read_bytes() for path in home.glob("experience.sqlite*"))


def test_lessons_are_stored_without_secrets(store_and_prefix: tuple[ExperienceStore, bytes], tmp_path: Path) -> None:
    store, prefix = store_and_prefix
    exp = lesson(
        "git.example/shop",
        f"deploy fails: {SAMPLES[0].text}",
        change_summary="\n".join(sample.text for sample in SAMPLES[1:]),
        reasons=[f"mail ops.lead@shop.example.com with {SLACK}"],
        decisions=[HumanDecision(gate="patch", action="edit", proposal=SAMPLES[2].text, accepted=AWS_KEY)],
    )
    exp_id = store.add(exp)
    stored = _everything_stored(store, prefix, tmp_path)
    assert stored
    assert leaked(stored) == []
    assert SLACK.encode() not in stored and b"ops.lead@shop.example.com" not in stored
    assert AWS_KEY.encode() not in stored
    read = store.get(exp_id)
    assert read is not None
    assert read.decisions[0].accepted == "[REDACTED:aws-access-key]"
    assert "[REDACTED:email]" in read.reasons[0]
