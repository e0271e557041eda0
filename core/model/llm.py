"""The `ModelClient` on litellm: any OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp, TGI).

litellm is imported inside the calls (it takes seconds), after `LITELLM_LOCAL_MODEL_COST_MAP=True` is set so
the import never fetches the price list from the network. litellm's own retries are off: ours are the only
ones.

Answers are streamed, so the ledger can show the call under way (reading the prompt, then writing, token by
token) and a call given up — past `timeout_s`, or on Ctrl-C — closes its connection, which tells the server to
stop. A server that refuses streaming is asked without it from then on.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

from core.errors import ModelError, ModelUnreachable
from core.model.answers import Answer, StreamedAnswer, answer_of_response
from core.model.base import NO_CHOICES, Completion, Message, Usage
from core.model.call_failures import (
    STREAM_REFUSED,
    ended_cleanly,
    failure_kind,
    is_json_schema_rejection,
    server_said,
)
from core.model.context_window import TokenCounter, fit_messages, litellm_token_counter
from core.model.json_tools import as_plain_conversation, tool_call_schema, with_tool_call
from core.model.local_model import api_base_of
from core.model.probe import EndpointProbe, JsonMode, ProbeCache, probe_endpoint
from core.model.usage_ledger import UsageLedger, UsageRecord
from core.redaction import Redactor
from core.settings import ModelAlias, Settings

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

__all__ = ["DEFAULT_CONTEXT_WINDOW", "LiteLLMClient", "UsageLedger", "UsageRecord"]

DEFAULT_CONTEXT_WINDOW = 8192
MAX_BACKOFF_S = 30.0
UNREACHABLE_HINT = (
    "start an OpenAI-compatible server there (vLLM, llama.cpp, Ollama), run `swe-team model serve` for the "
    "bundled local model, or point SWE_TEAM_API_BASE at a running server"
)


def _import_litellm() -> Any:
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def _close(stream: Any) -> None:
    """Hang up a streamed call; the server sees the connection close and stops working on it."""
    close = getattr(stream, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


class LiteLLMClient:
    """Chat completions with tools or a JSON schema, fitted to the window, retried, and booked in a ledger."""

    def __init__(
        self,
        settings: Settings,
        ledger: UsageLedger | None = None,
        *,
        backoff_s: float = 1.0,
        probe_timeout_s: float = 5.0,
        redactor: Redactor | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger if ledger is not None else UsageLedger()
        self.redactor = redactor if redactor is not None else Redactor(settings.redaction)
        """Every message is redacted before it is sent; share it with the job's trajectory for one count."""
        self.backoff_s = backoff_s
        self.probe_timeout_s = probe_timeout_s
        self._probe_cache = ProbeCache(probe_cache_path(settings.home))
        self._probes: dict[str, EndpointProbe | None] = {}
        self._counters: dict[str, TokenCounter] = {}
        self._not_streaming: set[str] = set()
        """api_bases that refused a streamed request: asked without streaming from then on."""
        self._lock = threading.Lock()

    def probe(self, alias: str = "instruct") -> EndpointProbe | None:
        """What the alias's endpoint says about itself (asked once, cached); None if it does not answer."""
        config = self.settings.alias(alias)
        base = config.api_base.rstrip("/")
        with self._lock:
            if base not in self._probes:
                found = self._probe_cache.get(base)
                if found is None:
                    found = probe_endpoint(base, config.api_key.get_secret_value(), self.probe_timeout_s)
                    if found is not None:
                        self._probe_cache.put(found)
                self._probes[base] = found
            return self._probes[base]

    def context_window(self, alias: str = "instruct") -> int:
        """Configured window, else the probed one, else the local server's, else 8192."""
        config = self.settings.alias(alias)
        if config.context_window:
            return config.context_window
        probe = self.probe(alias)
        if probe is not None and probe.context_window:
            return probe.context_window
        if self._is_local_server(config.api_base):
            return self.settings.local_model.context_window
        return DEFAULT_CONTEXT_WINDOW

    def _is_local_server(self, api_base: str) -> bool:
        return api_base.rstrip("/") in {
            api_base_of(self.settings),
            f"http://localhost:{self.settings.local_model.port}/v1",
        }

    def _is_llama_cpp_python(self, alias: str) -> bool:
        probe = self.probe(alias)
        return probe is not None and probe.server == "llama-cpp-python"

    def _tool_calling(self, alias: str) -> str:
        chosen = self.settings.alias(alias).tool_calling
        if chosen != "auto":
            return chosen
        return "json" if self._is_llama_cpp_python(alias) else "native"

    def _json_mode(self, alias: str) -> JsonMode:
        probe = self.probe(alias)
        return probe.json_mode if probe is not None else "json_schema"

    def _remember_json_object_mode(self, alias: str) -> None:
        probe = self.probe(alias)
        if probe is not None:
            probe.json_mode = "json_object"
            self._probe_cache.put(probe)
        else:
            base = self.settings.alias(alias).api_base.rstrip("/")
            self._probes[base] = EndpointProbe(base, "openai-compatible", None, "json_object", [], time.time())

    def token_counter(self, model: str) -> TokenCounter:
        if model not in self._counters:
            self._counters[model] = litellm_token_counter(model)
        return self._counters[model]

    def complete(
        self,
        messages: list[Message],
        *,
        alias: str = "instruct",
        tools: list[dict[str, Any]] | None = None,
        response_schema: dict[str, Any] | None = None,
        role: str = "",
    ) -> Completion:
        preparing = self.ledger.call_started(role, alias, 0, self.settings.models.stall_after_s, sent=False)
        try:
            return self._complete(messages, alias, tools, response_schema, role)
        finally:
            self.ledger.call_ended(preparing)

    def _complete(
        self,
        messages: list[Message],
        alias: str,
        tools: list[dict[str, Any]] | None,
        response_schema: dict[str, Any] | None,
        role: str,
    ) -> Completion:
        config = self.settings.alias(alias)
        started = time.monotonic()
        messages = self.redactor.messages(sendable(messages))
        window = self.context_window(alias)
        output_budget = max(16, min(config.max_output_tokens, window // 2))
        count = self.token_counter(config.model)
        overhead = 0
        if tools or response_schema:
            overhead = count([{"role": "system", "content": json.dumps([tools, response_schema])}])
        limit = int((window - output_budget - overhead) * 0.9) - 16
        fitted, folded = fit_messages(messages, max(limit, 64), count)
        request: dict[str, Any] = {
            "model": config.model,
            "api_base": config.api_base,
            "api_key": config.api_key.get_secret_value(),
            "messages": fitted,
            "temperature": config.temperature,
            "max_tokens": output_budget,
            "timeout": config.timeout_s,
            "num_retries": 0,
            "max_retries": 0,
        }
        if role:
            request["extra_body"] = {"user": f"swe-team:{role}"}
        json_tools = bool(tools) and self._tool_calling(alias) == "json"
        if json_tools and tools:
            request["messages"] = as_plain_conversation(fitted, tools)
            response_schema = tool_call_schema(tools)
        elif tools:
            request["tools"] = tools
            if self._is_llama_cpp_python(alias):
                request["messages"] = adapt_for_llama_cpp_python(fitted, True)
                request["tool_choice"] = "auto"
        elif self._is_llama_cpp_python(alias):
            request["messages"] = adapt_for_llama_cpp_python(fitted, False)
        if response_schema is not None:
            request["response_format"] = self._response_format(response_schema, self._json_mode(alias))
        reading = count(request["messages"]) + overhead
        answer = self._call_with_retries(request, config, alias, response_schema, (role, reading))
        completion = self._completion(answer, fitted, count, time.monotonic() - started, config, folded)
        if json_tools:
            completion = with_tool_call(completion)
        self.ledger.record(role, alias, completion.usage, completion.model)
        return completion

    @staticmethod
    def _response_format(schema: dict[str, Any], mode: JsonMode) -> dict[str, Any]:
        if mode == "json_object":
            return {"type": "json_object", "schema": schema}
        return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}

    def _call_with_retries(
        self,
        request: dict[str, Any],
        config: ModelAlias,
        alias: str,
        schema: dict[str, Any] | None,
        caller: tuple[str, int],
    ) -> Answer:
        """The answer, asked again on failures worth retrying; `caller` is (role, prompt tokens) for the ledger."""
        litellm = _import_litellm()
        attempts = self.settings.models.retries + 1
        switched_json_mode = False
        attempt = 0
        while True:
            streaming = config.api_base.rstrip("/") not in self._not_streaming
            handle = self.ledger.call_started(
                caller[0], alias, caller[1], self.settings.models.stall_after_s, attempt + 1
            )
            try:
                return self._ask_once(litellm, request, config, handle, streaming)
            except Exception as exc:
                kind, status = failure_kind(exc)
                sent_json_schema = request.get("response_format", {}).get("type") == "json_schema"
                answered = kind in ("client", "server")
                if answered and sent_json_schema and not switched_json_mode and is_json_schema_rejection(exc):
                    switched_json_mode = True
                    self._remember_json_object_mode(alias)
                    request["response_format"] = self._response_format(schema or {}, "json_object")
                    continue
                if kind == "client" and streaming and STREAM_REFUSED.search(server_said(exc)):
                    self._not_streaming.add(config.api_base.rstrip("/"))
                    continue
                if kind == "encoding":
                    raise ModelError(
                        f"this client could not encode its request to {config.api_base}: {server_said(exc)}",
                        hint="check api_key and api_base for characters HTTP cannot carry; this error is not retried",
                    ) from exc
                if kind == "client":
                    raise ModelError(
                        f"the model server at {config.api_base} refused the request (HTTP {status}): "
                        f"{server_said(exc)}",
                        hint="check the model name and the server's log; this error is not retried",
                    ) from exc
                attempt += 1
                if attempt >= attempts:
                    raise self._final_error(kind, status, exc, config, attempts) from exc
                delay = min(MAX_BACKOFF_S, self.backoff_s * 2 ** (attempt - 1))
                time.sleep(delay * (1 + random.random() * 0.25))
            finally:
                self.ledger.call_ended(handle)

    def _ask_once(self, litellm: Any, request: dict[str, Any], config: ModelAlias, handle: int, stream: bool) -> Answer:
        """One HTTP call; streamed, each chunk is reported to the ledger and the whole call keeps to `timeout_s`."""
        if not stream:
            return answer_of_response(litellm.completion(**request))
        deadline = time.monotonic() + config.timeout_s
        chunks = litellm.completion(**request, stream=True, stream_options={"include_usage": True})
        streamed = StreamedAnswer()
        try:
            for chunk in chunks:
                self.ledger.heard(handle, streamed.add(chunk))
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the answer was not complete within {config.timeout_s:g} s")
        except Exception as exc:
            if not ended_cleanly(exc):
                raise
        finally:
            _close(chunks)
        return streamed.answer()

    @staticmethod
    def _final_error(kind: str, status: int | None, exc: Exception, config: ModelAlias, attempts: int) -> ModelError:
        if kind == "unreachable":
            return ModelUnreachable(
                f"no answer from the model server at {config.api_base} after {attempts} attempts ({server_said(exc)})",
                hint=UNREACHABLE_HINT,
            )
        if kind == "timeout":
            return ModelUnreachable(
                f"the model server at {config.api_base} did not answer within {config.timeout_s:g} s, {attempts} times",
                hint="the server may be overloaded; raise models.<alias>.timeout_s or use a faster model",
            )
        return ModelError(
            f"the model server at {config.api_base} kept failing{f' (HTTP {status})' if status else ''} after "
            f"{attempts} attempts: "
            f"{server_said(exc)}",
            hint="look at the model server's log",
        )

    def _completion(
        self,
        answer: Answer,
        sent: list[Message],
        count: TokenCounter,
        seconds: float,
        config: ModelAlias,
        folded: int,
    ) -> Completion:
        if not answer.has_choice:
            usage = Usage(count(sent), 0, seconds, None)
            return Completion("", (), usage, NO_CHOICES, answer.model or config.model, folded)
        prompt_tokens = answer.prompt_tokens or count(sent)
        completion_tokens = answer.completion_tokens
        cost = None
        if config.input_cost_per_token is not None or config.output_cost_per_token is not None:
            cost = prompt_tokens * (config.input_cost_per_token or 0.0) + completion_tokens * (
                config.output_cost_per_token or 0.0
            )
        return Completion(
            content=answer.content,
            tool_calls=answer.tool_calls,
            usage=Usage(prompt_tokens, completion_tokens, seconds, cost),
            finish_reason=answer.finish_reason or "stop",
            model=answer.model or config.model,
            folded_messages=folded,
        )


def adapt_for_llama_cpp_python(messages: list[Message], with_tools: bool) -> list[Message]:
    """llama-cpp-python's `chatml-function-calling` template drops `tool` messages and describes the
    tools only inside a system message, and fails on a message without `content`: send tool results as
    user messages, give every message a text content, and keep a system message."""
    names = {
        str(call.get("id")): str(call.get("function", {}).get("name", "tool"))
        for message in messages
        for call in message.get("tool_calls") or []
    }
    adapted: list[Message] = []
    for message in messages:
        if message.get("role") == "tool":
            call_id = str(message.get("tool_call_id"))
            text = f"Result of {names.get(call_id, 'tool')} (call {call_id}):\n{message.get('content') or ''}"
            adapted.append({"role": "user", "content": text})
        else:
            adapted.append({**message, "content": message.get("content") or ""})
    if with_tools and (not adapted or adapted[0].get("role") != "system"):
        adapted.insert(0, {"role": "system", "content": "You are a helpful assistant."})
    return adapted


def sendable(value: Any) -> Any:
    """`value` (messages) with every lone surrogate, which no HTTP body can encode, replaced by U+FFFD: text a
    model sent earlier comes back in the conversation."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, dict):
        return {key: sendable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [sendable(item) for item in value]
    return value


def probe_cache_path(home: Path) -> Path:
    return home / "cache" / "model-probes.json"
