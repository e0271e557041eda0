"""`python -m swe_team.resident.server --idle SECONDS [--warm REPO]`: the resident locate server.

It imports what `locate` needs once, keeps code graphs in memory (`graphs.py`) and answers each request in a
forked child: the child takes the caller's stdin, stdout and stderr (passed over the Unix socket), folder,
environment and arguments, runs the `swe-team` command there and exits with its code, which goes back to the caller.
The server exits after `--idle` seconds without a request, when its socket is taken away, or when this
installation's code changed (it declines the request, and the caller runs the command itself).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import marshal
import os
import select
import signal
import socket
import sys
import time
import traceback
from importlib import import_module
from pathlib import Path
from typing import Any, NoReturn

from swe_team.resident import graphs
from swe_team.resident.address import CODE_ROOT, lock_path, socket_path
from swe_team.resident.client import HEADER, send_quietly

PRELOADED = (
    "typer",
    "rich.console",
    "rich.table",
    "rich.progress",
    "pydantic_settings",
    "numpy",
    "core.settings",
    "memory.codegraph",
    "memory.codegraph.localize",
    "memory.codegraph.ranking_cache",
)
"""What a `locate` imports, loaded once here; never `swe_team.cli`, whose consoles must see the caller's terminal."""
PACKAGES = ("core", "memory", "swe_team", "graphs", "roles", "tools", "workspaces")
CHECK_EVERY = 60.0
"""Seconds between checks, while idle, that the socket is still this server's."""
LOCK_PATIENCE = 1.0
"""Seconds a busy lock is tried again at start."""


def code_signature() -> tuple[int, float]:
    """How many Python files this installation has and when the newest changed: a server never runs old code."""
    count, newest = 0, 0.0
    for package in PACKAGES:
        for folder, _, files in os.walk(os.path.join(CODE_ROOT, package)):
            for name in files:
                if name.endswith(".py"):
                    count += 1
                    newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
    return count, newest


class Server:
    def __init__(self, listener: socket.socket, idle: float) -> None:
        self.listener = listener
        self.idle = idle
        self.code = code_signature()
        self.inode = os.stat(listener.getsockname()).st_ino
        self.running = True

    def serve(self) -> None:
        last_request = time.monotonic()
        while self.running and self.still_listening():
            waited = time.monotonic() - last_request
            if waited >= self.idle:
                print(f"no request for {self.idle:.0f} s: exiting", flush=True)
                return
            if select.select([self.listener], [], [], min(CHECK_EVERY, self.idle - waited))[0]:
                connection, _ = self.listener.accept()
                with connection:
                    try:
                        self.answer(connection)
                    except Exception:  # one request's failure, logged; the server goes on
                        traceback.print_exc()
                last_request = time.monotonic()

    def still_listening(self) -> bool:
        try:
            return os.stat(self.listener.getsockname()).st_ino == self.inode
        except OSError:
            return False

    def answer(self, connection: socket.socket) -> None:
        received = _receive(connection)
        if received is None:
            return
        request, fds = received
        try:
            if code_signature() != self.code:
                print("this installation's code changed: declining and exiting", flush=True)
                send_quietly(connection, b"decline code changed\n")
                self.running = False
                return
            read_end, write_end = os.pipe()
            try:
                child = os.fork()
            except OSError as exc:
                print(f"cannot fork ({exc}): declining", flush=True)
                os.close(read_end)
                os.close(write_end)
                send_quietly(connection, b"decline cannot fork\n")
                return
            if child == 0:
                os.close(read_end)
                self.listener.close()
                _run_child(request, fds, write_end)
            os.close(write_end)
        finally:
            for fd in fds:
                os.close(fd)
        code = _wait(child, connection)
        send_quietly(connection, f"exit {code}\n".encode())
        keys = graphs.read_report(read_end)
        os.close(read_end)
        try:
            graphs.keep_up_to_date(keys)
        except Exception:  # a graph that cannot be built now is built by the next command itself
            traceback.print_exc()
            for key in keys:
                graphs.kept.pop(key, None)
        gc.freeze()


def _receive(connection: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    connection.settimeout(10)
    fds: list[int] = []
    try:
        header, fds, _, _ = socket.recv_fds(connection, HEADER.size, 3)
        if len(header) != HEADER.size or len(fds) != 3:
            raise ValueError("a request without its header or terminal")
        (length,) = HEADER.unpack(header)
        body = b""
        while len(body) < length:
            chunk = connection.recv(min(length - len(body), 1 << 20))
            if not chunk:
                raise ValueError("the request was cut short")
            body += chunk
        request = marshal.loads(body)
        if not isinstance(request, dict):
            raise ValueError("a request that is not a mapping")
        connection.settimeout(None)
        return request, fds
    except (OSError, ValueError, EOFError, TypeError) as exc:
        print(f"request dropped: {exc}", flush=True)
        for fd in fds:
            os.close(fd)
        return None


def _wait(child: int, connection: socket.socket) -> int:
    """The child's exit code; a Ctrl-C at the caller interrupts it, a caller that went away ends it."""
    if hasattr(os, "pidfd_open"):
        pidfd = os.pidfd_open(child)
        watched = [pidfd, connection.fileno()]
        try:
            while pidfd not in select.select(watched, [], [])[0]:
                try:
                    data = connection.recv(16)
                except OSError:
                    data = b""
                os.kill(child, signal.SIGINT if data else signal.SIGTERM)
                if not data:
                    watched = [pidfd]
        finally:
            os.close(pidfd)
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def _run_child(request: dict[str, Any], fds: list[int], report_fd: int) -> NoReturn:
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = _writer(1, "strict")
        sys.stderr = _writer(2, "backslashreplace")
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        graphs.report_fd = report_fd
        code = _run_command(list(request["argv"]))
    except KeyboardInterrupt:
        code = 130
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)


def _writer(fd: int, errors: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.FileIO(fd, "w", closefd=False), encoding="utf-8", errors=errors, line_buffering=os.isatty(fd)
    )


def _run_command(argv: list[str]) -> int:
    from swe_team.cli import app

    sys.argv = ["swe-team", *argv]
    try:
        app(args=argv, prog_name="swe-team")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    return 0


def _listen() -> socket.socket:
    path = socket_path()
    Path(path).unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(16)
    return listener


def _held(lock: Any) -> bool:
    """The lock, taken for this server's life. Whoever asks whether a server runs (`start_server`,
    `ready_server_pid`) takes it for an instant too, so a busy lock is tried again for a while before it means
    another server."""
    import fcntl

    deadline = time.monotonic() + LOCK_PATIENCE
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:

    parser = argparse.ArgumentParser(prog="python -m swe_team.resident.server")
    parser.add_argument("--idle", type=float, required=True, help="seconds without a request before it exits")
    parser.add_argument("--warm", action="append", default=[], help="a repository whose graph to load at once")
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    lock = open(lock_path(), "a")  # noqa: SIM115 (held until the process ends)
    if not _held(lock):
        print("another server runs: exiting", flush=True)
        return 0
    listener = _listen()
    started = time.perf_counter()
    for module in PRELOADED:
        import_module(module)
    graphs.keep_up_to_date([graphs.graph_key(Path(repo), None) for repo in args.warm])
    gc.freeze()
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    print(f"pid {os.getpid()} ready in {time.perf_counter() - started:.2f} s at {listener.getsockname()}", flush=True)
    server = Server(listener, args.idle)
    try:
        server.serve()
    finally:
        if server.still_listening():
            Path(listener.getsockname()).unlink(missing_ok=True)
        listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
