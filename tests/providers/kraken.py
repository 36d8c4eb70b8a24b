"""A Kraken proxy preheat-server stand-in: /health and /registry/notifications.

Run by hand:  python -m tests.providers.kraken --port 10050
"""
from __future__ import annotations

import argparse
import json

from .server import QuietHandler, StandinServer


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


def serve(host: str = "127.0.0.1", port: int = 0) -> StandinServer:
    """Start a Kraken stand-in in a thread."""
    return StandinServer((host, port), KrakenHandler).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=10050)
    args = parser.parse_args()
    server = StandinServer((args.host, args.port), KrakenHandler)
    print(f"Kraken preheat server stand-in on {server.url}")
    server.serve_forever()


if __name__ == "__main__":
    main()
