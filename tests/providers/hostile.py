"""A hostile provider stand-in: it repeats the credentials it is sent, disguised.

It speaks just enough Dragonfly (and Kraken) to be checked, remembers every
secret it was ever sent, and puts all of them back, reversed, case-changed,
base64- and URL-encoded and split in pieces, into the place `where` names:

- "message": a Dragonfly-shaped JSON error, {"message": ...}, for the Open API;
- "error":   the same JSON error as a 500, for /healthy too once it knows a secret;
- "body":    raw text where a JSON list of jobs (or Kraken's "OK") is expected;
- "redirect": a redirect whose Location carries them.

Every answer also carries them in headers of its own.
"""
from __future__ import annotations

import base64
from urllib.parse import quote

from .server import QuietHandler, StandinServer, serve as _serve

WHERE = ("message", "error", "body", "redirect")
PIECE = 9


def disguises(secret: str) -> dict[str, str]:
    """The ways a hostile server may send `secret` back, by name."""
    raw = secret.encode()
    pieces = [secret[i:i + PIECE] for i in range(0, len(secret), PIECE)]
    return {
        "reversed": secret[::-1],
        "lower": secret.lower(),
        "upper": secret.upper(),
        "swapped": secret.swapcase(),
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "url": quote(secret, safe=""),
        "split": " ... ".join(pieces),
        "split-reversed": " | ".join(reversed(pieces)),
        "split-base64": " ".join(base64.b64encode(p.encode()).decode() for p in pieces),
    }


def received(headers) -> list[str]:
    """The secrets an Authorization header carries (a token, or user:password and password)."""
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return [value]
    if scheme.lower() == "basic" and value:
        pair = base64.b64decode(value).decode(errors="replace")
        return [value, pair, pair.partition(":")[2]]
    return []


class HostileHandler(QuietHandler):
    server_version = "dragonfly-manager"

    def do_GET(self):
        seen = self.server.state.setdefault("seen", [])
        seen += [s for s in received(self.headers) if s not in seen]
        echo = " ; ".join(f"{name}={text}" for secret in seen
                          for name, text in disguises(secret).items())
        path = self.path.split("?", 1)[0]
        where = self.server.state["where"]
        headers = {"X-Echo": echo, "WWW-Authenticate": f'Bearer error="{echo}"'}
        if where == "error" and (seen or path.startswith("/oapi/")):
            return self.send_json(500, {"message": echo}, headers)
        if path in ("/healthy", "/health"):
            return self.send_text_with(200, "OK", headers)
        if where == "message":
            return self.send_json(403, {"message": f"Token {echo} is inactive"}, headers)
        if where == "body":
            return self.send_text_with(200, f"not jobs but {echo}", headers)
        self.send_body(302, b"", "text/html",
                       {**headers, "Location": f"https://{quote(echo[:60], safe='')}.example"
                                               f"/{quote(echo, safe='/')}?{quote(echo)}"})

    def send_text_with(self, status: int, text: str, headers) -> None:
        self.send_body(status, text.encode(), "text/plain; charset=utf-8", headers)


def serve(where: str) -> StandinServer:
    """Start a hostile stand-in that echoes into `where` (one of WHERE)."""
    assert where in WHERE, where
    return _serve(HostileHandler, {"where": where})
