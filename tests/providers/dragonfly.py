"""A Dragonfly v2 manager stand-in: /healthy, the PAT-protected Open API, 301 elsewhere.

Run by hand:  python -m tests.providers.dragonfly --port 8080 --token secret
"""
from __future__ import annotations

import argparse
import itertools

from .server import QuietHandler, StandinServer

_job_ids = itertools.count(1)


class DragonflyHandler(QuietHandler):
    server_version = "dragonfly-manager"

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/healthy":
            return self.send_json(200, "OK")
        if path.startswith("/oapi/v1/"):
            if not self._authorized():
                return None
            if path == "/oapi/v1/jobs":
                return self.send_json(200, [])
        self._redirect_home()

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path.startswith("/oapi/v1/") and not self._authorized():
            return None
        if path == "/oapi/v1/jobs":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            return self.send_json(200, {"id": next(_job_ids), "type": "preheat",
                                        "state": "PENDING", "result": None})
        self._redirect_home()

    def _authorized(self) -> bool:
        """Check the personal access token as the manager does (Bearer only)."""
        tokens = self.server.state.setdefault("tokens", {})
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token not in tokens:
            self.send_json(401, {"message": "Unauthorized"})
            return False
        status = tokens[token]
        if status == "inactive":
            self.send_json(403, {"message": "Token is inactive"})
            return False
        if status == "expired":
            self.send_json(403, {"message": "Token has expired"})
            return False
        return True

    def _redirect_home(self):
        self.send_body(301, b'<a href="/">Moved Permanently</a>.\n',
                       "text/html; charset=utf-8", {"Location": "/"})


def serve(host: str = "127.0.0.1", port: int = 0, tokens=None) -> StandinServer:
    """Start a Dragonfly stand-in in a thread; tokens maps token -> active|inactive|expired."""
    return StandinServer((host, port), DragonflyHandler, {"tokens": dict(tokens or {})}).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--token", action="append", default=[],
                        help="an accepted personal access token (repeatable)")
    args = parser.parse_args()
    server = StandinServer((args.host, args.port), DragonflyHandler,
                           {"tokens": {token: "active" for token in args.token}})
    print(f"Dragonfly manager stand-in on {server.url}")
    server.serve_forever()


if __name__ == "__main__":
    main()
