"""Ask an OpenAI-compatible endpoint once what it is: context window, server kind, structured-output mode.

`GET {api_base}/models` tells vLLM and SGLang (`max_model_len`), llama.cpp's C++ server (`meta.n_ctx_train`,
and `/props` for the real `n_ctx`) and llama-cpp-python (`owned_by: "me"`, no context length) apart.
Results are cached in `$SWE_TEAM_HOME/cache/model-probes.json`, keyed by api_base.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

JsonMode = Literal["json_schema", "json_object"]
PROBE_TTL_S = 24 * 3600.0
LLAMA_CPP_SERVERS = ("llama.cpp", "llama-cpp-python")


@dataclass
class EndpointProbe:
    api_base: str
    server: str
    """vllm, llama.cpp, llama-cpp-python, ollama or openai-compatible."""
    context_window: int | None
    json_mode: JsonMode
    models: list[str]
    probed_at: float


def _get_json(url: str, api_key: str, timeout_s: float) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {api_key}"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return json.loads(response.read().decode("utf-8", "replace"))


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None


def probe_endpoint(api_base: str, api_key: str = "", timeout_s: float = 5.0) -> EndpointProbe | None:
    """What the endpoint says about itself; None when it does not answer."""
    base = api_base.rstrip("/")
    try:
        listing = _get_json(f"{base}/models", api_key, timeout_s)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    entries = [e for e in (listing.get("data") or []) if isinstance(e, dict)] if isinstance(listing, dict) else []
    first = entries[0] if entries else {}
    owner = str(first.get("owned_by", ""))
    meta: dict[str, Any] = first["meta"] if isinstance(first.get("meta"), dict) else {}
    context = _int_or_none(first.get("max_model_len")) or _int_or_none(first.get("context_length"))
    server = "openai-compatible"
    if "max_model_len" in first:
        server = "vllm"
    elif meta or owner == "llamacpp":
        server = "llama.cpp"
        context = _llama_cpp_n_ctx(base, api_key, timeout_s) or _int_or_none(meta.get("n_ctx_train"))
    elif owner == "me":
        server = "llama-cpp-python"
    elif owner == "library" or owner == "ollama":
        server = "ollama"
    return EndpointProbe(
        api_base=base,
        server=server,
        context_window=context,
        json_mode="json_object" if server in LLAMA_CPP_SERVERS else "json_schema",
        models=[str(e.get("id", "")) for e in entries],
        probed_at=time.time(),
    )


def _llama_cpp_n_ctx(base: str, api_key: str, timeout_s: float) -> int | None:
    root = base.removesuffix("/v1")
    try:
        props = _get_json(f"{root}/props", api_key, timeout_s)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    settings = props.get("default_generation_settings") if isinstance(props, dict) else None
    return _int_or_none(settings.get("n_ctx")) if isinstance(settings, dict) else None


class ProbeCache:
    """The probe results on disk; a missing or unreadable file is an empty cache."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, api_base: str) -> EndpointProbe | None:
        entry = self._read().get(api_base.rstrip("/"))
        if not isinstance(entry, dict) or time.time() - float(entry.get("probed_at", 0)) > PROBE_TTL_S:
            return None
        try:
            return EndpointProbe(**entry)
        except TypeError:
            return None

    def put(self, probe: EndpointProbe) -> None:
        data = self._read()
        data[probe.api_base] = asdict(probe)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".probes-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=1, sort_keys=True)
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
