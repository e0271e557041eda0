"""Redaction rules: every supported kind is replaced, ordinary code and hashes are left alone, settings apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.redaction_corpus import KINDS, Sample, samples
from core.errors import ConfigError
from core.redaction import RedactionSettings, Redactor, find_secrets, redact
from core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
WITH_PERSONAL = RedactionSettings(emails=True, ip_addresses=True)
AWS_KEY = "AKIAQ3EGRTB7YXNM4PZK"
GITHUB = "ghp_Zq8RkT3vLm0NwXy5PcDh2JfA9sGb7UeK4iOo"


@pytest.mark.parametrize("sample", samples(4, seed=3, optional=True), ids=lambda s: s.kind)
def test_every_supported_kind_is_replaced_and_named(sample: Sample) -> None:
    result = redact(sample.text, WITH_PERSONAL)
    body_lines = [line for line in sample.secret.replace("\\n", "\n").splitlines() if len(line) >= 16]
    assert sample.secret not in result.text
    assert not [line for line in body_lines if "-----" not in line and line in result.text]
    assert f"[REDACTED:{sample.label}]" in result.text
    assert result.counts.get(sample.label, 0) >= 1


def test_the_corpus_covers_the_kinds_the_docs_promise() -> None:
    promised = {"aws-access-key", "aws-secret-key", "azure-storage-key", "gcp-api-key", "gcp-service-account"}
    promised |= {"github-token", "gitlab-token", "slack-token", "stripe-key", "jwt", "npm-token", "openai-key"}
    promised |= {"private-key", "url-password", "basic-auth", "secret-assignment", "high-entropy-base64"}
    assert promised <= set(KINDS)


def test_only_the_secret_is_replaced_and_the_line_still_reads() -> None:
    text = "DATABASE_URL=postgres://shop:Xy7%21kQ2pLm@db.internal:5432/shop\nretrying in 5 s"
    assert (
        redact(text).text
        == "DATABASE_URL=postgres://shop:[REDACTED:url-password]@db.internal:5432/shop\nretrying in 5 s"
    )


def test_a_whole_private_key_goes_even_when_the_text_cuts_it_short() -> None:
    key = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n"
        "7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFcz"
    )
    result = redact(f"log: loaded {key}")
    assert result.text == "log: loaded [REDACTED:private-key]"


def test_a_secret_in_the_middle_of_a_very_long_line_is_found() -> None:
    """Minified files and one-line logs: rules read the neighbourhood of each keyword, not the whole line."""
    line = "x = 1; " * 20_000 + "password = 'Zk3!mPq9vLw2'; token " + GITHUB + "; " + "y = 2; " * 20_000
    result = redact(line)
    assert result.counts == {"secret-assignment": 1, "github-token": 1}
    assert "Zk3!mPq9vLw2" not in result.text and GITHUB not in result.text


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact(f"token = {GITHUB}\naws_access_key_id = {AWS_KEY}\npassword = 'Zk3!mPq9vL'").text
    again = redact(once)
    assert again.text == once
    assert again.counts == {}


def test_counts_are_distinct_values_by_kind_across_calls() -> None:
    redactor = Redactor()
    for _ in range(3):
        redactor.redact(f"the key {AWS_KEY} again, and {GITHUB}")
    redactor.redact("another key AKIAZZ3EGRTB7YXNM4PQ")
    assert redactor.counts() == {"aws-access-key": 2, "github-token": 1}


def test_hashes_and_commit_ids_are_not_secrets() -> None:
    text = (
        "commit 4e3bf53a1b2c3d4e5f60718293a4b5c6d7e8f901\n"
        "    --hash=sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
        '  "integrity": "sha512-Zq8RkT3vLm0NwXy5PcDh2JfA9sGb7UeK4iOoQ8njiXNyGiXyy7Fx46dq6JmJX15Kz==",\n'
        "api_key_hash = 0cc175b9c0f1b6a831c399e269772661\n"
        "uuid = 3f2a9c4e-8b1d-4f6a-9e2c-7d5b1a0c3e9f\n"
        "- uses: actions/create-github-app-token@bcd2ba49218906704ab6c1aa796996da409d3eb1\n"
    )
    assert find_secrets(text) == []


def test_ordinary_source_has_no_hits() -> None:
    """Our own packages: thousands of lines of real code with keys, tokens and passwords as names."""
    sources = sorted(
        path
        for package in ("core", "graphs", "roles", "tools", "memory", "workspaces", "swe_team")
        for path in (ROOT / package).rglob("*.py")
    )
    hits = [(path.name, hit.kind) for path in sources for hit in find_secrets(path.read_text(encoding="utf-8"))]
    assert len(sources) > 100
    assert hits == []


def test_placeholders_and_names_assigned_to_secret_words_are_kept() -> None:
    text = (
        'password = os.environ["DB_PASSWORD"]\n'
        "api_key: ${API_KEY}\n"
        'secret = "<your secret here>"\n'
        "password=settings.password,\n"
        'client_secret = "changeme"\n'
    )
    assert find_secrets(text) == []


def test_emails_and_addresses_only_when_switched_on() -> None:
    text = "mail ops.lead@shop.example.com about 34.201.17.9; 10.0.0.4 is ours"
    assert redact(text).text == text
    shown = redact(text, WITH_PERSONAL).text
    assert shown == "mail [REDACTED:email] about [REDACTED:ip-address]; 10.0.0.4 is ours"


def test_own_patterns_allowlist_and_off_switch() -> None:
    settings = RedactionSettings(patterns={"employee-id": r"EMP-\d{6}"}, allowlist=["EXAMPLE$"])
    text = "EMP-204518 used AKIAIOSFODNN7EXAMPLE and AKIAQ3EGRTB7YXNM4PZK"
    assert (
        redact(text, settings).text == "[REDACTED:employee-id] used AKIAIOSFODNN7EXAMPLE and [REDACTED:aws-access-key]"
    )
    assert redact(text, RedactionSettings(enabled=False)).text == text


def test_a_bad_pattern_in_the_config_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWE_TEAM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWE_TEAM_USER_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "swe-team.toml").write_text('[redaction.patterns]\nticket = "TICKET-(\\\\d+"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path)
    assert "redaction.patterns" in str(raised.value)
    assert "not a regular expression" in str(raised.value)


def test_chat_messages_keep_ids_and_roles_and_lose_secrets() -> None:
    call_id = "call_Q8njiXNyGiXyy7Fx46dq6JmJX15KzxXJQ"
    messages = [
        {"role": "user", "content": [{"type": "text", "text": f"deploy with {GITHUB}"}]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": call_id, "type": "function", "function": {"name": "run", "arguments": f'{{"k": "{AWS_KEY}"}}'}}
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": f"echo {AWS_KEY}"},
    ]
    sent = Redactor().messages(messages)
    assert sent[1]["tool_calls"][0]["id"] == call_id
    assert sent[2]["tool_call_id"] == call_id
    assert sent[1]["tool_calls"][0]["function"]["arguments"] == '{"k": "[REDACTED:aws-access-key]"}'
    assert sent[0]["content"][0]["text"] == "deploy with [REDACTED:github-token]"
    assert sent[2]["content"] == "echo [REDACTED:aws-access-key]"
