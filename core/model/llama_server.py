"""llama-cpp-python's server, started so that a client hanging up stops the work on its request at once.

Run as ``python -m core.model.llama_server`` with the arguments of ``python -m llama_cpp.server``. On its own
the server notices a hang-up only between two streamed tokens: a client that gives up while a long prompt is
read leaves the server reading it for minutes. Here every request carries an event set when its client hangs
up (the ASGI `http.disconnect` the streaming response listens for anyway), and llama.cpp's decode — called once
per `n_batch` prompt tokens and once per written token — refuses to go on for a request whose client is gone.
"""

from __future__ import annotations

import contextvars
import importlib
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

hung_up: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("hung_up", default=None)
"""The current request's hang-up event; worker threads see it because anyio copies the context into them."""


class ClientHungUp(RuntimeError):
    """Raised inside llama.cpp's decode loop: the client of this request is gone."""


class HangUpWatch:
    """ASGI middleware: gives each HTTP request an event, set when its client disconnects."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        event = threading.Event()
        token = hung_up.set(event)

        async def watched_receive() -> Message:
            message = await receive()
            if message.get("type") == "http.disconnect":
                event.set()
            return message

        try:
            await self.app(scope, watched_receive, send)
        except* ClientHungUp:
            print(f"the client hung up; its request {scope.get('path', '')} was stopped", flush=True)
        finally:
            hung_up.reset(token)


def stop_decoding_for_gone_clients(context_class: Any) -> None:
    """Wrap `LlamaContext.decode` so a request whose client hung up stops before its next batch or token."""
    decode = context_class.decode

    def decode_unless_hung_up(self: Any, batch: Any) -> Any:
        event = hung_up.get()
        if event is not None and event.is_set():
            raise ClientHungUp("the client hung up; the work on its request stops here")
        return decode(self, batch)

    context_class.decode = decode_unless_hung_up


def main() -> None:
    import uvicorn

    internals: Any = importlib.import_module("llama_cpp._internals")
    llama_server: Any = importlib.import_module("llama_cpp.server.__main__")
    stop_decoding_for_gone_clients(internals.LlamaContext)
    run = uvicorn.run

    def run_watched(app: Any, **options: Any) -> None:
        run(HangUpWatch(app), **options)

    setattr(uvicorn, "run", run_watched)  # noqa: B010  llama_cpp.server's main looks it up when it runs
    llama_server.main()


if __name__ == "__main__":
    main()
