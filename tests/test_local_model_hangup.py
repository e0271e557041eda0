"""The embedded llama.cpp server stops reading a prompt when its client hangs up (a timeout, Ctrl-C)."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.model import local_model
from core.model.llm import LiteLLMClient
from core.settings import LocalModelSettings, ModelAlias, ModelSettings, Settings
from tests.model_fixtures import free_port
from tests.service_fixtures import unavailable

pytestmark = pytest.mark.llama
HUNG_UP = "the client hung up"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Settings]:
    if importlib.util.find_spec("llama_cpp") is None:
        unavailable("llama-cpp-python is not installed (pip install 'swe-team[local-model]')")
    port = free_port()
    alias = ModelAlias(max_output_tokens=16, timeout_s=300)
    settings = Settings(
        home=tmp_path,
        api_base=f"http://127.0.0.1:{port}/v1",
        models=ModelSettings(instruct=alias, reasoning=alias.model_copy(), retries=0),
        local_model=LocalModelSettings(port=port, context_window=8192),
    )
    local_model.serve(settings)
    try:
        yield settings
    finally:
        local_model.stop(settings)


def test_a_client_hanging_up_mid_prompt_stops_the_server_reading_it(served: Settings) -> None:
    log = Path(local_model.status(served).log_path)
    long_prompt = "Summarize this code:\n" + "def add(a, b):\n    return a + b\n" * 500
    request = {"messages": [{"role": "user", "content": long_prompt}], "max_tokens": 16, "stream": True}
    with (
        pytest.raises(httpx.ReadTimeout),
        httpx.Client(timeout=httpx.Timeout(60, read=1.0)) as client,
        client.stream("POST", f"{local_model.api_base_of(served)}/chat/completions", json=request) as answer,
    ):
        for _ in answer.iter_lines():
            pass
    for _ in range(120):  # the server stops at its next prompt batch of 64 tokens
        if HUNG_UP in log.read_text(errors="replace"):
            break
        time.sleep(0.5)
    assert HUNG_UP in log.read_text(errors="replace")
    completion = LiteLLMClient(served).complete([{"role": "user", "content": "Say hello."}], role="planner")
    assert completion.content.strip() and completion.usage.completion_tokens > 0
