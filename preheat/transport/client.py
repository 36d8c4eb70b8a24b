"""The one way Preheat talks HTTP to the endpoints it manages.

Every call has connect and read timeouts and an overall deadline, never
follows a redirect, reads a bounded body, connects only to addresses the
denylist allows and turns each failure into a sentence a sysadmin
understands. Nothing secret is ever part of that sentence. The same holds
for a URL an answer names (a registry's token service, its next page):
it is requested through this client, under the same guard.
"""
from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from .connect import POOL_CLASSES, ConnectFailure, Exchange, exchange_scope, refusal
from .denylist import parse_denylist
from .reasons import deadline_reason, describe_exception, echo_reason
from .response import HttpFailure, HttpResponse
from .target import Credentials, Target, authorization_header, secrets_of
from .untrusted import echoes

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BODY = 64 * 1024
# What one call may raise its body cap to (a registry catalog, a manifest list).
LARGEST_BODY = 8 * 1024 * 1024
# A save waits at most this long for DNS to tell whether a host is denied.
SAVE_LOOKUP_TIMEOUT = 1.0
DEFAULT_HEADERS = {"Accept": "application/json, text/plain;q=0.9, */*;q=0.1",
                   "User-Agent": "preheat"}


class _PinnedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOL_CLASSES)


class HttpClient:
    """Pooled, bounded HTTP access to providers, registries and the services they name."""

    def __init__(self, timeout=DEFAULT_TIMEOUT, deadline: float | None = None,
                 max_body: int = DEFAULT_MAX_BODY, denylist=None,
                 resolver=socket.getaddrinfo):
        self.connect_timeout, self.read_timeout = _timeouts(timeout)
        self.deadline = float(deadline or self.connect_timeout + self.read_timeout)
        self.max_body = _checked_cap(max_body)
        self.denylist = parse_denylist(denylist)
        self.resolver = resolver
        # One session per TLS mode, so pooled connections never mix verify modes.
        self._sessions = {insecure: self._new_session() for insecure in (False, True)}

    @classmethod
    def from_config(cls, config) -> HttpClient:
        """A client set up from PREHEAT_HTTP_* and PREHEAT_ENDPOINT_DENYLIST keys."""
        return cls(timeout=config.get("PREHEAT_HTTP_TIMEOUT", DEFAULT_TIMEOUT),
                   deadline=config.get("PREHEAT_HTTP_DEADLINE"),
                   denylist=config.get("PREHEAT_ENDPOINT_DENYLIST"))

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # no proxies or .netrc credentials from the environment
        adapter = _PinnedAdapter(pool_connections=256, pool_maxsize=32, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def denied(self, endpoint: str) -> str | None:
        """Why the denylist forbids `endpoint`'s host, if a quick lookup already tells."""
        parts = urlsplit(endpoint)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return refusal(parts.hostname or "", port, self.denylist, self.resolver,
                       min(self.connect_timeout, SAVE_LOOKUP_TIMEOUT))

    def get(self, target: Target, url: str, **options) -> HttpResponse:
        """GET `url` (a path below the target's endpoint, or absolute); see `request`."""
        return self.request("GET", target, url, **options)

    def request(self, method: str, target: Target, url: str, *, authenticate: bool = True,
                credentials: Credentials | None = None, headers=None, json=None,
                max_body: int | None = None, deadline: float | None = None,
                peer: str | None = None) -> HttpResponse:
        """Send one request and return its response, or raise HttpFailure.

        `url` is a path below the target's endpoint or an absolute URL; both
        go through the same timeouts, deadline, denylist and body cap. The
        target's credentials go only to the target's own origin (unless
        `authenticate` is false); `credentials` replace them for this call and
        go wherever it goes. `headers` add to or replace the defaults, except
        Authorization, which only credentials set so that they stay scrubbed.
        `max_body` raises or lowers the cap for this call, up to LARGEST_BODY;
        `deadline` can only shorten the client's; `peer` names who answers.
        """
        peer = peer or target.peer
        secrets = secrets_of(target.credentials, credentials)
        full_url, what = self._locate(method, target, url, secrets, peer)
        sent = self._headers(target, full_url, headers, authenticate, credentials)
        limit = self.max_body if max_body is None else _checked_cap(max_body)
        budget = self.deadline if deadline is None else min(float(deadline), self.deadline)
        exchange = Exchange(budget, self.denylist, self.resolver)
        started = time.monotonic()
        try:
            with exchange_scope(exchange), self._sessions[bool(target.insecure)].request(
                    method, full_url, headers=sent, json=json,
                    timeout=(self.connect_timeout, self.read_timeout),
                    verify=not target.insecure, allow_redirects=False,
                    stream=True) as response:
                body, truncated = _read_body(response, exchange, limit)
        except ConnectFailure as exc:
            raise self._failure(str(exc), started, method, secrets, peer,
                                transient=not exc.lasting) from None
        except requests.RequestException as exc:
            reason = deadline_reason(budget, what, peer) if exchange.expired else \
                describe_exception(exc, self.read_timeout, what, peer)
            lasting = isinstance(exc, (requests.exceptions.SSLError,
                                       requests.exceptions.InvalidURL))
            raise self._failure(reason, started, method, secrets, peer, sent=exchange.sent,
                                transient=not lasting) from None
        if exchange.expired:
            raise self._failure(deadline_reason(budget, what, peer), started, method,
                                secrets, peer, sent=True, transient=True)
        # The secrets even when none were sent this time: one sent earlier may come back.
        return HttpResponse(response.status_code, CaseInsensitiveDict(response.headers), body,
                            _elapsed_ms(started), truncated, secrets, full_url)

    def _locate(self, method: str, target: Target, url: str, secrets, peer: str):
        """The URL to request, and how a sentence names the request ("GET /v2/")."""
        if not urlsplit(url).scheme:
            if not url.startswith("/"):
                raise ValueError(f"{url!r} is neither a path nor an absolute URL.")
            full_url = target.endpoint.rstrip("/") + url
            if urlsplit(full_url).scheme not in ("http", "https"):
                raise HttpFailure("The endpoint must start with http:// or https://.")
            return full_url, f"{method} {url.split('?', 1)[0]}"
        parts = urlsplit(url)
        # The URL came from an answer: name it without query or user info, and
        # not at all if it carries the credentials.
        shown = parts.path or "/"
        if not _same_origin(url, target.endpoint):
            shown = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], shown, "", ""))
        what = f"{method} {shown}"
        if echoes(what, secrets):
            what = f"{method} (a URL that repeats the credentials)"
        if parts.scheme not in ("http", "https"):
            raise HttpFailure(f"Not requested: {what} is not an http:// or https:// URL.")
        if "@" in parts.netloc:
            raise HttpFailure(f"Not requested: the URL of {what} carries a user name or"
                              f" password, which the {peer} has no business sending.")
        return url, what

    @staticmethod
    def _headers(target: Target, url: str, extra, authenticate: bool,
                 credentials: Credentials | None) -> CaseInsensitiveDict:
        sent = CaseInsensitiveDict(DEFAULT_HEADERS)
        for name, value in (extra or {}).items():
            if name.lower() == "authorization":
                raise ValueError("Pass credentials=, not an Authorization header: only"
                                 " credentials are scrubbed from what a user reads.")
            sent[name] = value
        if credentials is not None:
            sent.update(authorization_header(credentials))
        elif authenticate and _same_origin(url, target.endpoint):
            sent.update(authorization_header(target.credentials))
        return sent

    @staticmethod
    def _failure(reason: str, started: float, method: str, secrets, peer: str, *,
                 sent: bool = False, transient: bool = False) -> HttpFailure:
        # A host name or path an answer named may carry the credentials it was sent.
        if echoes(reason, secrets, pieces=False):
            reason = echo_reason(method, peer)
        return HttpFailure(reason, _elapsed_ms(started), sent=sent, transient=transient)

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()


def _read_body(response: requests.Response, exchange: Exchange, limit: int):
    body = bytearray()
    for chunk in response.iter_content(8192):
        body.extend(chunk)
        if len(body) > limit:
            return bytes(body[:limit]), True
        if exchange.remaining() <= 0:
            exchange.expire()
            break
    return bytes(body), False


def _checked_cap(value: int) -> int:
    if not 0 < int(value) <= LARGEST_BODY:
        raise ValueError(f"A body cap must be between 1 and {LARGEST_BODY} bytes, not {value}.")
    return int(value)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def _same_origin(url: str, endpoint: str) -> bool:
    return _origin(url) == _origin(endpoint)


def _timeouts(value) -> tuple[float, float]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        connect, read = (float(value[0]), float(value[-1]))
    else:
        connect = read = float(value)
    return connect, read


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
