"""What a failed model call says: whether to retry it, and the first useful line of the server's answer."""

from __future__ import annotations

import re
from typing import Any

RETRYABLE_4XX = (408, 429)
SAID_CHARS = 200
"""The most of a server's error message an error repeats: its first line, cut at a word."""
STREAM_REFUSED = re.compile(  # "streaming is not supported", "body.stream_options: Extra inputs are not permitted"
    r"\bstream\w*\b.{0,40}?\b(not|un)\s*(supported|allowed|available|permitted)\b", re.IGNORECASE
)
CLEAN_END_WITHOUT_FINISH = "Stream ended before a finish_reason was received"


def failure_kind(exc: BaseException) -> tuple[str, int | None]:
    """("encoding" | "unreachable" | "timeout" | "server" | "client", HTTP status) of an exception litellm raised;
    "encoding" is this client failing to encode its own request, which no retry mends."""
    import openai
    from pydantic import ValidationError

    chain = chain_of(exc)
    if any(isinstance(e, UnicodeError) for e in chain):
        return "encoding", None
    if any(isinstance(e, ValidationError) for e in chain):
        return "server", None  # an answer litellm could not read (wrong types), though it came
    if any(isinstance(e, openai.APITimeoutError | TimeoutError) for e in chain):
        return "timeout", None
    if any(isinstance(e, openai.APIConnectionError | ConnectionError) for e in chain):
        return "unreachable", None
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    if status is None or status >= 500 or status in RETRYABLE_4XX:
        return "server", status
    return "client", status


def is_json_schema_rejection(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "json_schema" in text or "response_format" in text


def chain_of(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def ended_cleanly(exc: BaseException) -> bool:
    """litellm's complaint about a stream that ended in order but without a finish reason (not a lost connection)."""
    return any(CLEAN_END_WITHOUT_FINISH in str(error) for error in chain_of(exc))


def server_said(exc: BaseException, limit: int = SAID_CHARS) -> str:
    """The first useful line of a failed call: the server's own error message when it sent one (not the request
    litellm repeats around it), else the innermost error (`Connection refused`), cut at a word."""
    chain = chain_of(exc)
    for error in chain:
        if message := _error_message(getattr(error, "body", None)):
            return _first_line(message, limit)
    quoted = re.search(r"""['"]message['"]\s*:\s*(['"])(.+?)(?<!\\)\1""", str(exc))
    if quoted:
        return _first_line(quoted.group(2), limit)
    innermost = next((str(error) for error in reversed(chain) if str(error).strip()), type(exc).__name__)
    return _first_line(
        re.sub(r"^(litellm\.\w+:\s*)?(\w+Exception\s*-\s*)?(Error code: \d+\s*-\s*)?", "", innermost), limit
    )


def _error_message(body: Any) -> str:
    """The message in an error body: OpenAI's `{"error": {"message"}}`, or FastAPI's `{"detail"}`, whose
    validation errors repeat the whole request (`input`) and are read as `where: what` instead."""
    if not isinstance(body, dict):
        return ""
    body = body.get("error", body)
    if not isinstance(body, dict):
        return str(body or "")
    message = body.get("message") or body.get("detail")
    if isinstance(message, list) and message and isinstance(message[0], dict):
        first = message[0]
        where = ".".join(str(part) for part in first.get("loc") or [])
        return f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
    return message if isinstance(message, str) else ""


def _first_line(text: str, limit: int) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), text.strip())
    line = " ".join(line.split())
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
