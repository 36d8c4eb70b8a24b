"""A small threaded HTTP(S) server to host a provider stand-in in tests or by hand."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .tls import self_signed_context


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler with helpers for JSON and text answers, and no stderr noise."""

    protocol_version = "HTTP/1.1"
    server_version = "provider-standin"
    # Headers and body go out in separate writes; without this, Nagle's
    # algorithm and delayed ACKs add 40 ms to every reused connection.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        headers = dict(self.headers.items()) if hasattr(self, "headers") else {}
        self.server.requests.append((self.command, self.path, headers))

    def send_body(self, status: int, body: bytes, content_type: str, headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, data, headers=None) -> None:
        self.send_body(status, json.dumps(data).encode(), "application/json; charset=utf-8",
                       headers)

    def send_text(self, status: int, text: str) -> None:
        self.send_body(status, text.encode(), "text/plain; charset=utf-8")


class StandinServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Many clients at once (several app processes submitting) must queue, not be reset.
    request_queue_size = 128
    block_on_close = False

    def __init__(self, address, handler, state=None):
        super().__init__(address, handler)
        self.state = state if state is not None else {}
        self.requests: list[tuple[str, str, dict]] = []

    def start(self, ssl_context=None) -> StandinServer:
        """Serve in a daemon thread; with `ssl_context`, over HTTPS."""
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        scheme = "https" if hasattr(self.socket, "context") else "http"
        host, port = self.server_address[:2]
        return f"{scheme}://{host}:{port}"

    def handle_error(self, request, client_address):
        """Clients that hang up early (as Preheat does past its body cap) are not news."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [path for _, path, _ in self.requests]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def serve(handler, state=None, *, tls: Path | None = None, host="127.0.0.1",
          port: int = 0) -> StandinServer:
    """Start `handler` on a free port; with `tls` (a folder), over self-signed HTTPS."""
    server = StandinServer((host, port), handler, state)
    return server.start(self_signed_context(tls) if tls else None)


def command_line(description: str, default_port: int) -> argparse.ArgumentParser:
    """The options every stand-in takes by hand: host, port, --tls."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--tls", action="store_true",
                        help="serve HTTPS with a self-signed certificate made on the spot")
    return parser


def run_by_hand(args, handler, state, label: str) -> None:
    """Serve until interrupted, printing where."""
    server = StandinServer((args.host, args.port), handler, state)
    if args.tls:
        server.socket = self_signed_context(Path(tempfile.mkdtemp())).wrap_socket(
            server.socket, server_side=True)
    print(f"{label} on {server.url} (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
