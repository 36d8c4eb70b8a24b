"""A small threaded HTTP(S) server to host a provider stand-in in tests or by hand."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler with helpers for JSON and text answers, and no stderr noise."""

    protocol_version = "HTTP/1.1"
    server_version = "provider-standin"

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

    def __init__(self, address, handler, state=None):
        super().__init__(address, handler)
        self.state = state if state is not None else {}
        self.requests: list[tuple[str, str, dict]] = []

    def start(self, ssl_context=None) -> StandinServer:
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        scheme = "https" if hasattr(self.socket, "context") else "http"
        host, port = self.server_address[:2]
        return f"{scheme}://{host}:{port}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
