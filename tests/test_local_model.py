"""Smoke test of the embedded model: the real llama.cpp server with the bundled SmolLM2, through litellm."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from core.model import local_model
from core.model.llm import LiteLLMClient
from core.settings import LocalModelSettings, ModelAlias, ModelSettings, Settings
from tests.model_fixtures import free_port
from tests.service_fixtures import unavailable

pytestmark = pytest.mark.llama

PLANNER_SCHEMA = {
    "type": "object",
    "properties": {
        "kind": {"enum": ["bug", "feature", "refactor"]},
        "summary": {"type": "string"},
        "steps": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 6},
    },
    "required": ["kind", "summary", "steps"],
}


@pytest.fixture
def local_settings(tmp_path: Path) -> Iterator[Settings]:
    if importlib.util.find_spec("llama_cpp") is None:
        unavailable("llama-cpp-python is not installed (pip install 'swe-team[local-model]')")
    port = free_port()
    alias = ModelAlias(max_output_tokens=200, timeout_s=120)
    settings = Settings(
        home=tmp_path,
        api_base=f"http://127.0.0.1:{port}/v1",
        models=ModelSettings(instruct=alias, reasoning=alias.model_copy(), retries=0),
        local_model=LocalModelSettings(port=port, context_window=2048),
    )
    try:
        yield settings
    finally:
        local_model.stop(settings)


def test_smollm2_answers_a_structured_planner_call(local_settings: Settings) -> None:
    api_base = local_model.serve(local_settings)
    assert local_model.serve(local_settings) == api_base, "a second serve finds the running server"
    client = LiteLLMClient(local_settings)
    completion = client.complete(
        [
            {"role": "system", "content": "You plan software work. Answer in JSON."},
            {"role": "user", "content": "Bug: the checkout page crashes when the cart is empty."},
        ],
        alias="reasoning",
        response_schema=PLANNER_SCHEMA,
        role="planner",
    )
    jsonschema.validate(json.loads(completion.content), PLANNER_SCHEMA)
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    assert client.context_window("reasoning") == 2048


def test_serve_status_stop_lifecycle(local_settings: Settings) -> None:
    first = local_model.serve(local_settings)
    running = local_model.status(local_settings)
    assert running.healthy and running.pid is not None and running.api_base == first
    assert local_model.serve(local_settings) == first
    assert local_model.status(local_settings).pid == running.pid, "a healthy server is reused"
    assert local_model.stop(local_settings) is True
    stopped = local_model.status(local_settings)
    assert not stopped.running and not stopped.healthy
    assert local_model.stop(local_settings) is False
    assert "Uvicorn running" in Path(running.log_path).read_text()
