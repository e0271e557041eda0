"""A package index on 127.0.0.1 for offline environment tests: PEP 691 JSON pages whose files carry PEP 700
upload times, so resolving "as of a date" picks what a real index would have served that day.

Wheels are written by hand (`pure_wheel`): no build tools, no network.
"""

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def pure_wheel(
    directory: Path, name: str, version: str, files: dict[str, str], *, requires_python: str = "",
    requires: tuple[str, ...] = (),
) -> Path:
    """A py3-none-any wheel of `files` (paths inside the wheel → text), depending on `requires`."""
    directory.mkdir(parents=True, exist_ok=True)
    info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    contents = {
        **files,
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: swe-team-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    path = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for inner, text in contents.items():
            wheel.writestr(inner, text)
        wheel.writestr(f"{info}/RECORD", "".join(f"{inner},,\n" for inner in [*contents, f"{info}/RECORD"]))
    return path


@dataclass(frozen=True)
class IndexedFile:
    path: Path
    project: str
    uploaded: str
    """ISO 8601 upload time, as PEP 700 has it."""


class PackageIndex:
    """Serves the files added to it until the `with` block ends; `url` is the index's simple root."""

    def __init__(self) -> None:
        self.files: list[IndexedFile] = []
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    def add(self, path: Path, project: str, uploaded: str) -> None:
        self.files.append(IndexedFile(path, project, uploaded))

    @property
    def url(self) -> str:
        assert self._server is not None, "the index is not serving"
        return f"http://127.0.0.1:{self._server.server_address[1]}/simple/"

    def _page(self, project: str) -> bytes | None:
        files = [f for f in self.files if f.project == project]
        if not files:
            return None
        listed = [
            {
                "filename": f.path.name,
                "url": f"../../files/{f.path.name}",
                "hashes": {"sha256": hashlib.sha256(f.path.read_bytes()).hexdigest()},
                "upload-time": f.uploaded,
            }
            for f in files
        ]
        return json.dumps({"meta": {"api-version": "1.1"}, "name": project, "files": listed}).encode()

    def _resource(self, path: str) -> tuple[bytes | None, str]:
        parts = [part for part in path.split("/") if part]
        if len(parts) == 2 and parts[0] == "simple":
            return self._page(parts[1]), JSON_TYPE
        if len(parts) == 2 and parts[0] == "files":
            found = [f.path for f in self.files if f.path.name == parts[1]]
            return (found[0].read_bytes() if found else None), "application/octet-stream"
        return None, "text/plain"

    def __enter__(self) -> PackageIndex:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, with_body: bool) -> None:
                index.requests.append(f"{self.command} {self.path}")
                body, kind = index._resource(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                if with_body:
                    self.wfile.write(body or b"")

            def do_GET(self) -> None:
                self._answer(with_body=True)

            def do_HEAD(self) -> None:
                self._answer(with_body=False)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
