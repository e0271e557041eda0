"""A fake GitHub/GitLab API on 127.0.0.1: canned JSON answers by method and path, every request recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ISSUE_TITLE = "Checkout crashes when the cart is empty"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeForge:
    routes: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    """(method, path with query) → (HTTP status, JSON answer); anything else is a 404."""
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def answer(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        self.seen.append(Seen(method, path, headers, json.loads(raw) if raw else None))
        return self.routes.get((method, path), (404, {"message": "Not Found"}))


@contextmanager
def fake_forge(routes: dict[tuple[str, str], tuple[int, Any]]) -> Iterator[FakeForge]:
    forge = FakeForge(routes)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload = forge.answer(self.command, self.path, dict(self.headers.items()), raw)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    forge.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield forge
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def github_issue_routes(body: str) -> dict[tuple[str, str], tuple[int, Any]]:
    """Issue 7 of acme/shop on GitHub's API, with one comment."""
    return {
        ("GET", "/repos/acme/shop/issues/7"): (200, {"title": ISSUE_TITLE, "body": body, "number": 7}),
        ("GET", "/repos/acme/shop/issues/7/comments?per_page=30"): (
            200,
            [{"user": {"login": "maria"}, "body": "Seen on 2.3 too, only with an empty cart."}],
        ),
    }


def gitlab_issue_routes(body: str) -> dict[tuple[str, str], tuple[int, Any]]:
    """Issue 3 of acme/shop on a GitLab's API, with a system note (not a comment) and one comment."""
    project = "/api/v4/projects/acme%2Fshop"
    return {
        ("GET", f"{project}/issues/3"): (200, {"title": ISSUE_TITLE, "description": body, "iid": 3}),
        ("GET", f"{project}/issues/3/notes?sort=asc&per_page=30"): (
            200,
            [
                {"author": {"username": "bot"}, "body": "changed the description", "system": True},
                {"author": {"username": "li"}, "body": "The total should be 0.00.", "system": False},
            ],
        ),
    }
