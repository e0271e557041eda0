"""The client: hands this process's terminal (stdin, stdout, stderr), its arguments, folder and environment to the
resident server and waits for the exit code of the child that ran the command. It runs before anything else on
every `swe-team locate`, so it imports only what Python has loaded at start, and sockets (the request is in
`marshal`'s format: the server is the same Python, and only this user can reach it)."""

from __future__ import annotations

import contextlib
import marshal
import os
import socket
import struct
import sys

from swe_team.resident.address import can_serve, socket_path

HEADER = struct.Struct("!Q")
"""The length of the request that follows; sent with the three file descriptors."""


def run_resident(argv: list[str]) -> int | None:
    """The exit code of `swe-team ARGV` as the resident server ran it; None when no server takes it (none runs,
    or it declined because this installation's code changed since it started)."""
    if not can_serve():
        return None
    try:
        address = socket_path()
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:
        return None
    with connection:
        try:
            connection.connect(address)
            request = marshal.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)})
            socket.send_fds(connection, [HEADER.pack(len(request))], [0, 1, 2])
            connection.sendall(request)
        except OSError:
            return None
        return _exit_code(connection)


def _exit_code(connection: socket.socket) -> int | None:
    """Waits for the server's reply line; a first Ctrl-C is passed on to the command, a second one leaves."""
    reply = b""
    interrupted = False
    while not reply.endswith(b"\n"):
        try:
            chunk = connection.recv(256)
        except KeyboardInterrupt:
            if interrupted:
                return 130
            interrupted = True
            send_quietly(connection, b"i")
            continue
        except OSError:
            chunk = b""
        if not chunk:
            sys.stderr.write("swe-team: the resident locate server stopped before answering; run again\n")
            return 1
        reply += chunk
    word, _, value = reply.decode().strip().partition(" ")
    if word == "exit" and value.lstrip("-").isdigit():
        return int(value)
    return None


def send_quietly(connection: socket.socket, data: bytes) -> None:
    """Sends, unless the other side has gone (then there is no one to tell)."""
    with contextlib.suppress(OSError):
        connection.sendall(data)
