"""A Dragonfly v2 manager stand-in: /healthy, the PAT-protected Open API, 301 elsewhere.

Preheat jobs behave as the manager's (`dragonfly_jobs`): rate limit, checks,
image pull from the registry named, per-peer results after a delay. With
legacy=True it is a v1-era Dragonfly instead: only /_ping answers.

Run by hand:  python -m tests.providers.dragonfly --port 8080 --token secret
"""
from __future__ import annotations

import json
import re

from .dragonfly_jobs import JobBook, Refused
from .server import QuietHandler, StandinServer, command_line, run_by_hand, serve as _serve

JOB_PATH = re.compile(r"/oapi/v1/jobs/(\d+)")
# What the manager answers for a token in each state; the contract gives no
# body for a missing scope, so that one is a plain "Forbidden".
REFUSALS = {
    "inactive": (403, "Token is inactive"),
    "expired": (403, "Token has expired"),
    "no-job-scope": (403, "Forbidden"),
}


class DragonflyHandler(QuietHandler):
    server_version = "dragonfly-manager"

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if self.server.state.get("legacy"):
            return self._legacy(path)
        if path == "/healthy":
            return self.send_json(200, "OK")
        if path.startswith("/oapi/v1/"):
            if not self._authorized("job" if path.startswith("/oapi/v1/jobs") else "cluster"):
                return None
            if path == "/oapi/v1/jobs":
                return self.send_json(200, [])
            match = JOB_PATH.fullmatch(path)
            if match:
                return self._answer(lambda: self._book().get(int(match[1])))
        self._redirect_home()

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if self.server.state.get("legacy"):
            return self._legacy(path)
        if path.startswith("/oapi/v1/") and not self._authorized("job"):
            return None
        if path == "/oapi/v1/jobs":
            return self._create(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self._redirect_home()

    def _book(self) -> JobBook:
        return self.server.state.setdefault("jobs", JobBook())

    def _create(self, raw: bytes):
        try:
            body = json.loads(raw)
        except ValueError as error:
            return self.send_json(422, {"errors": f"invalid character: {error}"})
        # The rate limiter runs before the job is checked, as the manager's middleware does.
        if not self._book().allow():
            return self.send_text(429, "rate limit exceeded")
        self._answer(lambda: self._book().create(body))

    def _answer(self, produce):
        try:
            self.send_json(200, produce())
        except Refused as refused:
            self.send_json(refused.status, refused.body)

    def _authorized(self, scope: str) -> bool:
        """Check the personal access token as the manager does (Bearer only)."""
        tokens = self.server.state.setdefault("tokens", {})
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in tokens:
            self.send_json(401, {"message": "Unauthorized"})
            return False
        state = tokens[token]
        if state == "no-job-scope" and scope != "job":
            return True
        if state in REFUSALS:
            status, message = REFUSALS[state]
            self.send_json(status, {"message": message})
            return False
        return True

    def _redirect_home(self):
        self.send_body(301, b'<a href="/">Moved Permanently</a>.\n',
                       "text/html; charset=utf-8", {"Location": "/"})

    def _legacy(self, path: str):
        if path == "/_ping":
            return self.send_text(200, "OK")
        self.send_text(404, "404 page not found\n")


def serve(tokens=None, *, legacy: bool = False, tls=None, host="127.0.0.1", port: int = 0,
          **jobs) -> StandinServer:
    """Start a Dragonfly stand-in in a thread; `server.state["jobs"]` is its JobBook.

    `tokens` maps token -> active | inactive | expired | no-job-scope; `tls` is a
    folder for a self-signed certificate (HTTPS); `legacy` serves only /_ping.
    `jobs` go to JobBook: rate, burst, delay, clock, peers, fetch, cache,
    failing_peers, answer_delay.
    """
    state = {"tokens": dict(tokens or {}), "legacy": legacy, "jobs": JobBook(**jobs)}
    return _serve(DragonflyHandler, state, tls=tls, host=host, port=port)


def main() -> None:
    parser = command_line(__doc__.splitlines()[0], 8080)
    parser.add_argument("--token", action="append", default=[],
                        help="an accepted personal access token (repeatable)")
    for state in REFUSALS:
        parser.add_argument(f"--{state}-token", action="append", default=[],
                            help=f"a token the manager refuses as {state} (repeatable)")
    parser.add_argument("--legacy", action="store_true",
                        help="behave like a v1-era Dragonfly: only /_ping answers")
    parser.add_argument("--rate", type=float, default=10.0,
                        help="job creations per second before 429 (the manager's default: 10)")
    parser.add_argument("--delay", type=float, default=5.0,
                        help="seconds a job stays PENDING before its peers report")
    parser.add_argument("--no-fetch", action="store_true",
                        help="do not pull images from the registry: every job succeeds")
    args = parser.parse_args()
    tokens = {token: "active" for token in args.token}
    for state in REFUSALS:
        tokens.update({t: state for t in getattr(args, f"{state.replace('-', '_')}_token")})
    label = "Legacy Dragonfly stand-in" if args.legacy else "Dragonfly manager stand-in"
    book = JobBook(rate=args.rate, delay=args.delay, fetch=not args.no_fetch)
    run_by_hand(args, DragonflyHandler, {"tokens": tokens, "legacy": args.legacy, "jobs": book},
                label)


if __name__ == "__main__":
    main()
