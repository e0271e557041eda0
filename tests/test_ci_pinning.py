"""Model pinning: the server's own list of models decides, over real HTTP, whether a CI command may go on."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from core.errors import ModelUnreachable
from core.model.pinning import ModelPinMismatch, identify_model
from core.model.scripted_server import ScriptedModelServer
from tests.model_fixtures import free_port, settings_for


class _OllamaLike(BaseHTTPRequestHandler):
    """Ollama's two listings: `/v1/models` without digests, `/api/tags` with them."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/v1/models"):
            payload: dict[str, Any] = {"data": [{"id": "qwen2.5-coder:7b", "owned_by": "library"}]}
        elif self.path.startswith("/api/tags"):
            payload = {"models": [{"name": "qwen2.5-coder:7b", "digest": "sha256:aaa111"}]}
        else:
            self.send_error(404)
            return
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def ollama_like() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OllamaLike)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_a_pinned_model_that_the_server_serves_is_recorded_as_pinned(tmp_path: Path) -> None:
    with ScriptedModelServer({"model": "qwen2.5-coder-7b-instruct", "steps": []}) as server:
        settings = settings_for(server.base_url, tmp_path, pinned_id="qwen2.5-coder-7b-instruct")
        identity = identify_model(settings)
    assert identity.served_id == "qwen2.5-coder-7b-instruct"
    assert identity.pinned
    assert "qwen2.5-coder-7b-instruct" in identity.label() and "pinned" in identity.label()


def test_another_model_behind_the_endpoint_stops_with_both_names(tmp_path: Path) -> None:
    with ScriptedModelServer({"model": "llama-3.1-8b", "steps": []}) as server:
        settings = settings_for(server.base_url, tmp_path, pinned_id="qwen2.5-coder-7b-instruct")
        with pytest.raises(ModelPinMismatch) as raised:
            identify_model(settings)
    message = raised.value.user_message()
    assert "llama-3.1-8b" in message and "qwen2.5-coder-7b-instruct" in message
    assert "\n" in message  # the hint line


def test_digest_is_read_from_ollama_tags_and_a_different_one_stops(ollama_like: str, tmp_path: Path) -> None:
    model = "openai/qwen2.5-coder:7b"
    matching = settings_for(ollama_like, tmp_path, model=model, pinned_digest="sha256:aaa111")
    assert identify_model(matching).digest == "sha256:aaa111"
    other = settings_for(ollama_like, tmp_path, model=model, pinned_digest="sha256:bbb222")
    with pytest.raises(ModelPinMismatch, match="sha256:aaa111"):
        identify_model(other)


def test_a_digest_pin_on_a_server_without_digests_stops(tmp_path: Path) -> None:
    with ScriptedModelServer({"model": "m", "steps": []}) as server:
        settings = settings_for(server.base_url, tmp_path, pinned_digest="sha256:aaa111")
        with pytest.raises(ModelPinMismatch, match="no digest"):
            identify_model(settings)


def test_unreachable_server_is_an_error_only_when_pinned(tmp_path: Path) -> None:
    api_base = f"http://127.0.0.1:{free_port()}/v1"
    unpinned = identify_model(settings_for(api_base, tmp_path), timeout_s=1.0)
    assert (unpinned.model, unpinned.served_id, unpinned.pinned) == ("openai/local-model", "", False)
    with pytest.raises(ModelUnreachable):
        identify_model(settings_for(api_base, tmp_path, pinned_id="m"), timeout_s=1.0)
