"""Misbehaving endpoints for the fault matrix: each fails in one precise way."""
from __future__ import annotations

import socket
import time
from contextlib import contextmanager

from .server import QuietHandler


class DripHandler(QuietHandler):
    """Answers one byte at a time, slowly enough that no single read times out."""

    interval = 0.3

    def do_GET(self):
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n":
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(self.interval)


class HugeBodyHandler(QuietHandler):
    """A 200 with ten megabytes of body."""

    def do_GET(self):
        self.send_body(200, b"x" * (10 * 1024 * 1024), "text/plain")


class ServerErrorHandler(QuietHandler):
    """A 500 with a JSON message, as a failing manager sends."""

    def do_GET(self):
        self.send_json(500, {"message": "database is locked"})


class EchoHandler(QuietHandler):
    """A 500 whose body repeats the Authorization header it received."""

    def do_GET(self):
        self.send_text(500, "cannot use " + self.headers.get("Authorization", ""))


class RedirectHandler(QuietHandler):
    """Everything moves to a login page that would carry a token in its query."""

    def do_GET(self):
        self.send_body(301, b"", "text/html",
                       {"Location": "https://sso.example/login?session=abc123"})


@contextmanager
def blackhole():
    """An address whose connection attempts go unanswered (the accept queue is full).

    Yields the URL; connecting to it times out like a host behind a firewall that
    drops packets.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for sock in fillers + [listener]:
            sock.close()


@contextmanager
def silent():
    """An address that accepts connections but never answers a request."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@contextmanager
def listener(host="127.0.0.1"):
    """A listening socket whose accept queue tells whether anyone connected."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        sock.listen(64)
        sock.setblocking(False)
        yield sock


def free_port() -> int:
    """A port nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
