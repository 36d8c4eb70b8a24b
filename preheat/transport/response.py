"""What a request gives back: a bounded response, or a failure with its reason."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from requests.structures import CaseInsensitiveDict

from .untrusted import scrubbed

# One link-value of a Link header (RFC 8288): <URI-reference> then its parameters,
# whose quoted values may hold commas, semicolons and angle brackets.
LINK_VALUE = re.compile(r'<(?P<url>[^>]*)>(?P<params>(?:[^",<]|"(?:[^"\\]|\\.)*")*)')
LINK_PARAM = re.compile(r';\s*(?P<name>[^\s=;,"]+)\s*'
                        r'(?:=\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<token>[^\s;,"]*)))?')
# A piece of a WWW-Authenticate header (RFC 9110 11.6.1): an auth-param (key=value),
# or a bare token, which starts a challenge (token68 credentials are not read).
CHALLENGE_PART = re.compile(r'\s*(?:(?P<key>[!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*'
                            r'(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<value>[^\s,"]*))'
                            r'|(?P<word>[!#$%&\'*+.^_`|~0-9A-Za-z-]+))\s*,?')


@dataclass(frozen=True)
class HttpResponse:
    """A response as callers see it: status, headers and a capped body.

    `headers` ignore case (`Www-Authenticate` is `WWW-Authenticate`); a
    header sent several times reads as its values joined by ", ". `url` is
    the URL that was requested, which relative `Link` targets resolve against.
    """

    status: int
    headers: CaseInsensitiveDict
    body: bytes
    latency_ms: int
    truncated: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)
    url: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        """The body parsed as JSON, or None when it is not JSON (or was cut at the cap)."""
        if self.truncated:
            return None
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def location(self) -> str | None:
        """The redirect target without user info, query or fragment, if safe to repeat."""
        parts = urlsplit(self.headers.get("Location", ""))
        netloc = parts.netloc.rpartition("@")[2]
        return scrubbed(urlunsplit((parts.scheme, netloc, parts.path, "", "")), self.secrets)

    def next_url(self) -> str | None:
        """The absolute URL of the next page, from this response's `Link: <...>; rel="next"`."""
        return next_url(self.headers.get("Link"), self.url)


class HttpFailure(Exception):
    """A request did not produce an HTTP response; the message says why.

    `sent` tells whether any of the request reached the connection: False
    means the endpoint cannot have acted on it (refused, no DNS answer, no
    connection, TLS handshake failed), so sending it again is safe; True
    means its answer was lost and the endpoint may have acted on it.
    `transient` tells whether the same request may work later (refused,
    timed out, no DNS answer), unlike a denied address, a bad URL or a TLS
    certificate that is not trusted.
    """

    def __init__(self, reason: str, latency_ms: int | None = None, *, sent: bool = False,
                 transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.latency_ms = latency_ms
        self.sent = sent
        self.transient = transient


def parse_links(header: str | None) -> list[tuple[str, dict[str, str]]]:
    """The (URL as written, parameters) of each link-value in a Link header."""
    links = []
    for value in LINK_VALUE.finditer(header or ""):
        params = {}
        for param in LINK_PARAM.finditer(value["params"]):
            raw = param["quoted"] if param["quoted"] is not None else param["token"] or ""
            params.setdefault(param["name"].lower(), re.sub(r"\\(.)", r"\1", raw))
        links.append((value["url"].strip(), params))
    return links


def next_url(header: str | None, request_url: str) -> str | None:
    """The `rel="next"` target of a Link header, resolved against the URL that was requested.

    Registries write it relative (`</v2/_catalog?last=a%2Fb&n=100>`); only an
    http(s) URL comes back, and it goes through the same guard as any request.
    """
    for url, params in parse_links(header):
        if "next" in params.get("rel", "").lower().split():
            resolved = urljoin(request_url, url)
            return resolved if urlsplit(resolved).scheme in ("http", "https") else None
    return None


def parse_challenges(header: str | None) -> list[tuple[str, dict[str, str]]]:
    """The (scheme in lower case, parameters) of each challenge in a WWW-Authenticate header.

    Quote-aware: a registry's `scope="repository:a/b:pull,push"` keeps its
    comma, and `Bearer realm="...",service="..."` gives realm and service.
    """
    challenges: list[tuple[str, dict[str, str]]] = []
    for part in CHALLENGE_PART.finditer(header or ""):
        if part["word"] is not None:
            challenges.append((part["word"].lower(), {}))
        elif challenges:
            raw = part["quoted"] if part["quoted"] is not None else part["value"]
            challenges[-1][1].setdefault(part["key"].lower(), re.sub(r"\\(.)", r"\1", raw))
    return challenges
