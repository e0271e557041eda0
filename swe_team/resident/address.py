"""Where the resident server of this installation listens, and its lock. Only modules Python has loaded at start
are used (no pathlib, json or hashlib): the client imports this on every `swe-team locate`."""

from __future__ import annotations

import os
import socket
import sys
import zlib

CODE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
"""The folder holding this installation's packages: another checkout or virtual environment has its own server."""


def can_serve() -> bool:
    """A resident server needs fork and file descriptors passed over Unix sockets (Linux, macOS)."""
    return hasattr(socket, "send_fds") and hasattr(os, "fork")


def server_dir() -> str:
    """The folder of this user's sockets, readable by nobody else (created on first use)."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    folder = os.path.join(base, f"swe-team-{os.getuid()}")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if os.stat(folder).st_uid != os.getuid():
        raise PermissionError(f"{folder} belongs to another user")
    os.chmod(folder, 0o700)
    return folder


def socket_path() -> str:
    """The Unix socket of the server for this environment (`python` or `python3` alike), Python and code."""
    key = zlib.crc32(f"{sys.prefix}\0{sys.version}\0{CODE_ROOT}".encode())
    return os.path.join(server_dir(), f"locate-{key:08x}.sock")


def lock_path() -> str:
    """Held by the running server for its whole life (whoever can take it knows no server runs); it holds the
    server's pid once the server is ready."""
    return socket_path().removesuffix(".sock") + ".lock"


def log_path() -> str:
    return socket_path().removesuffix(".sock") + ".log"
