"""A Kraken proxy preheat-server stand-in: /health and /registry/notifications.

Run by hand:  python -m tests.providers.kraken --port 10050
"""
from __future__ import annotations

import json

from .server import QuietHandler, StandinServer, command_line, run_by_hand, serve as _serve


class KrakenHandler(QuietHandler):
    server_version = "kraken-proxy"

    def do_GET(self):
        if self.path.split("?", 1)[0] == "/health":
            return self.send_text(200, "OK")
        self.send_text(404, "404 page not found\n")

    def do_POST(self):
        if self.path.split("?", 1)[0] == "/registry/notifications":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                self.server.state.setdefault("notifications", []).append(json.loads(body))
            except ValueError:
                pass  # Kraken only logs bad notifications
            return self.send_body(200, b"", "text/plain")
        self.send_text(404, "404 page not found\n")


def serve(*, tls=None, host="127.0.0.1", port: int = 0) -> StandinServer:
    """Start a Kraken stand-in in a thread; with `tls` (a folder), over HTTPS."""
    return _serve(KrakenHandler, tls=tls, host=host, port=port)


def main() -> None:
    args = command_line(__doc__.splitlines()[0], 10050).parse_args()
    run_by_hand(args, KrakenHandler, {}, "Kraken preheat server stand-in")


if __name__ == "__main__":
    main()
