"""LiteLLMClient over real HTTP (litellm → the scripted server): tools, schemas, retries, usage, fitting."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import litellm
import pytest

from core.errors import ModelError, ModelUnreachable
from core.model.llm import LiteLLMClient, UsageLedger
from core.model.scripted_server import ScriptedModelServer
from tests.model_fixtures import (
    VIEW_FILE_TOOL,
    client_for,
    conversation_with_tool_results,
    free_port,
    json_step,
    settings_for,
    text_step,
    tool_pairing_errors,
    tool_step,
)

PLAN_SCHEMA = {
    "type": "object",
    "properties": {
        "kind": {"enum": ["bug", "feature"]},
        "steps": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["kind", "steps"],
}
ASK = [{"role": "user", "content": "checkout fails on an empty cart"}]


def test_tool_calls_come_back_parsed_and_the_role_reaches_the_server(tmp_path: Path) -> None:
    with ScriptedModelServer({"steps": [tool_step("view_file", {"path": "shop/cart.py"}, role="coder")]}) as server:
        completion = client_for(server, tmp_path).complete(ASK, tools=[VIEW_FILE_TOOL], role="coder")
    (call,) = completion.tool_calls
    assert call.name == "view_file"
    assert json.loads(call.arguments) == {"path": "shop/cart.py"}
    assert call.id
    assert completion.finish_reason == "tool_calls"
    sent = server.requests[0]
    assert sent["user"] == "swe-team:coder"
    assert sent["tools"][0]["function"]["name"] == "view_file"
    assert server.failures == []


def test_structured_output_sends_the_json_schema(tmp_path: Path) -> None:
    answer = {"kind": "bug", "steps": ["reproduce", "fix"]}
    with ScriptedModelServer({"steps": [json_step(answer, role="planner")]}) as server:
        completion = client_for(server, tmp_path).complete(
            ASK, alias="reasoning", response_schema=PLAN_SCHEMA, role="planner"
        )
    jsonschema.validate(json.loads(completion.content), PLAN_SCHEMA)
    response_format = server.requests[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"] == PLAN_SCHEMA


def test_a_server_that_rejects_json_schema_gets_json_object_with_the_schema(tmp_path: Path) -> None:
    script = {"reject_json_schema": True, "steps": [json_step({"kind": "bug", "steps": ["a"]})] * 2}
    with ScriptedModelServer(script) as server:
        client = client_for(server, tmp_path)
        first = client.complete(ASK, response_schema=PLAN_SCHEMA)
        LiteLLMClient(settings_for(server.base_url, tmp_path)).complete(ASK, response_schema=PLAN_SCHEMA)
    assert json.loads(first.content)["kind"] == "bug"
    assert [r["response_format"] for r in server.requests] == [{"type": "json_object", "schema": PLAN_SCHEMA}] * 2
    cached = json.loads((tmp_path / "cache" / "model-probes.json").read_text())
    assert cached[server.base_url]["json_mode"] == "json_object"


def test_a_llama_cpp_python_endpoint_gets_json_object_from_the_first_call(tmp_path: Path) -> None:
    script = {
        "owned_by": "me",
        "reject_json_schema": True,
        "steps": [json_step({"kind": "bug", "steps": []})],
    }
    with ScriptedModelServer(script) as server:
        client_for(server, tmp_path).complete(ASK, response_schema=PLAN_SCHEMA)
    assert server.requests[0]["response_format"]["type"] == "json_object"


def test_garbled_output_reaches_the_caller_unchanged(tmp_path: Path) -> None:
    garbled = {
        "response": {
            "content": "let me look",
            "tool_calls": [
                {"name": "view_file", "arguments": '{"path": "cart.py"'},
                {"name": "summon_dragon", "arguments": {"size": "large"}},
                {"name": "view_file", "arguments": ""},
            ],
        }
    }
    with ScriptedModelServer({"steps": [garbled]}) as server:
        completion = client_for(server, tmp_path).complete(ASK, tools=[VIEW_FILE_TOOL], role="coder")
    assert completion.content == "let me look"
    assert [(c.name, c.arguments) for c in completion.tool_calls] == [
        ("view_file", '{"path": "cart.py"'),
        ("summon_dragon", '{"size": "large"}'),
        ("view_file", ""),
    ]


def test_a_server_error_is_retried_then_the_answer_arrives(tmp_path: Path) -> None:
    script = {"steps": [{"status": 500}, {"status": 503}, text_step("recovered")]}
    with ScriptedModelServer(script) as server:
        completion = client_for(server, tmp_path, retries=2).complete(ASK, role="tester")
    assert completion.content == "recovered"
    assert len(server.requests) == 3


def test_server_errors_past_the_retry_budget_raise_model_error(tmp_path: Path) -> None:
    with ScriptedModelServer({"steps": [{"status": 500}] * 3}) as server, pytest.raises(ModelError) as caught:
        client_for(server, tmp_path, retries=1).complete(ASK)
    assert not isinstance(caught.value, ModelUnreachable)
    assert "HTTP 500" in str(caught.value) and "2 attempts" in str(caught.value)
    assert server.remaining == 1


def test_a_slow_answer_times_out_and_is_retried(tmp_path: Path) -> None:
    script = {"steps": [{"delay_s": 1.5, "response": {"content": "late"}}, text_step("in time")]}
    with ScriptedModelServer(script) as server:
        completion = client_for(server, tmp_path, timeout_s=0.5).complete(ASK)
    assert completion.content == "in time"


def test_an_unreachable_endpoint_fails_quickly_with_what_to_do(tmp_path: Path) -> None:
    api_base = f"http://127.0.0.1:{free_port()}/v1"
    client = LiteLLMClient(settings_for(api_base, tmp_path, retries=2), backoff_s=0.01)
    started = time.monotonic()
    with pytest.raises(ModelUnreachable) as caught:
        client.complete(ASK, role="planner")
    assert time.monotonic() - started < 10
    message = caught.value.user_message()
    assert api_base in message
    assert "swe-team model serve" in message and "SWE_TEAM_API_BASE" in message
    assert not (tmp_path / "cache" / "model-probes.json").exists()


def test_usage_accumulates_per_role(tmp_path: Path) -> None:
    ledger = UsageLedger()
    script = {"steps": [text_step("plan"), text_step("found it"), text_step("plan again")]}
    with ScriptedModelServer(script) as server:
        client = LiteLLMClient(settings_for(server.base_url, tmp_path), ledger)
        for role in ("planner", "localizer", "planner"):
            client.complete(ASK, role=role)
    by_role = ledger.by_role()
    assert set(by_role) == {"planner", "localizer"}
    assert by_role["planner"].prompt_tokens > by_role["localizer"].prompt_tokens > 0
    assert by_role["planner"].completion_tokens > 0 and by_role["planner"].seconds > 0
    assert ledger.total().total_tokens == sum(u.total_tokens for u in by_role.values())
    assert ledger.to_dict()["by_role"]["planner"]["calls"] == 2


def test_unknown_model_pricing_never_crashes_and_configured_prices_count(tmp_path: Path) -> None:
    with ScriptedModelServer({"steps": [text_step("a"), text_step("b")]}) as server:
        unpriced = LiteLLMClient(settings_for(server.base_url, tmp_path, model="openai/nobody-knows-this-1b"))
        assert unpriced.complete(ASK).usage.cost_usd is None
        priced = LiteLLMClient(
            settings_for(server.base_url, tmp_path, input_cost_per_token=1e-6, output_cost_per_token=2e-6)
        )
        usage = priced.complete(ASK).usage
    assert usage.cost_usd == pytest.approx(usage.prompt_tokens * 1e-6 + usage.completion_tokens * 2e-6)


def test_context_window_is_probed_cached_and_overridden_by_configuration(tmp_path: Path) -> None:
    with ScriptedModelServer({"context_window": 4096, "steps": []}) as server:
        assert client_for(server, tmp_path).context_window() == 4096
        assert client_for(server, tmp_path, context_window=2048).context_window() == 2048
    cached = json.loads((tmp_path / "cache" / "model-probes.json").read_text())
    assert cached[server.base_url]["context_window"] == 4096


def test_a_huge_observation_is_fitted_into_the_window(tmp_path: Path) -> None:
    window = 2048
    messages = conversation_with_tool_results(turns=6, observation="def line():\n    pass\n" * 20_000)
    with ScriptedModelServer({"context_window": window, "steps": [text_step("done")]}) as server:
        completion = client_for(server, tmp_path).complete(messages, tools=[VIEW_FILE_TOOL], role="localizer")
    sent = server.requests[0]
    prompt_tokens = litellm.token_counter(model="gpt-4o", messages=sent["messages"], tools=sent["tools"])
    assert prompt_tokens + sent["max_tokens"] < window
    assert completion.folded_messages > 0
    assert tool_pairing_errors(sent["messages"]) == []
    assert "characters cut to fit the context window" in json.dumps(sent["messages"])
    assert len(messages[3]["content"]) > 400_000, "the caller's messages must stay whole"


def test_an_extra_call_fails_loudly_and_is_not_retried(tmp_path: Path) -> None:
    with ScriptedModelServer({"steps": [text_step("only answer")]}) as server:
        client = client_for(server, tmp_path, retries=3)
        client.complete(ASK, role="planner")
        with pytest.raises(ModelError) as caught:
            client.complete(ASK, role="reviewer")
    assert "unexpected call 2" in str(caught.value) and "only 1 steps" in str(caught.value)
    assert len(server.requests) == 2
    assert len(server.failures) == 1


def test_a_call_that_breaks_the_script_expectation_is_refused(tmp_path: Path) -> None:
    script = {"steps": [text_step("plan", role="planner", prompt_contains=["empty cart", "stack trace"])]}
    with ScriptedModelServer(script) as server, pytest.raises(ModelError) as caught:
        client_for(server, tmp_path).complete(ASK, role="planner")
    assert "'stack trace'" in str(caught.value)
    assert server.failures and "empty cart" in server.failures[0]
