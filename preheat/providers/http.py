"""The one way Preheat talks HTTP to providers.

Every call has connect and read timeouts and an overall deadline, never
follows a redirect, reads a bounded body, connects only to addresses the
denylist allows and turns each failure into a sentence a sysadmin
understands. Nothing secret is ever part of that sentence.
"""
from __future__ import annotations

import base64
import json
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from .connect import POOL_CLASSES, ConnectFailure, Exchange, exchange_scope, refusal
from .denylist import parse_denylist
from .untrusted import scrubbed

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BODY = 64 * 1024
# A save waits at most this long for DNS to tell whether a host is denied.
SAVE_LOOKUP_TIMEOUT = 1.0


@dataclass(frozen=True)
class HttpResponse:
    """A response as drivers see it: status, headers and a capped body."""

    status: int
    headers: dict[str, str]
    body: bytes
    latency_ms: int
    truncated: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def location(self) -> str | None:
        """The redirect target without user info, query or fragment, if safe to repeat."""
        parts = urlsplit(self.headers.get("Location", ""))
        netloc = parts.netloc.rpartition("@")[2]
        return scrubbed(urlunsplit((parts.scheme, netloc, parts.path, "", "")), self.secrets)


class HttpFailure(Exception):
    """A request did not produce an HTTP response; the message says why."""

    def __init__(self, reason: str, latency_ms: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.latency_ms = latency_ms


def authorization_header(credentials) -> dict[str, str]:
    """The Authorization header for a Credentials value (empty for NONE)."""
    if credentials.mode == "BASIC":
        pair = f"{credentials.username or ''}:{credentials.password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    if credentials.mode == "OAUTH":
        return {"Authorization": f"Bearer {credentials.token or ''}"}
    return {}


def secrets_of(credentials) -> tuple[str, ...]:
    """The secrets a request with `credentials` sends (untrusted.echoes knows their disguises)."""
    values = [credentials.password, credentials.token]
    if credentials.mode == "BASIC":
        values.append(f"{credentials.username or ''}:{credentials.password or ''}")
    return tuple(v for v in values if v)


class _PinnedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOL_CLASSES)


class HttpClient:
    """Pooled, bounded HTTP access to provider endpoints."""

    def __init__(self, timeout=DEFAULT_TIMEOUT, deadline: float | None = None,
                 max_body: int = DEFAULT_MAX_BODY, denylist=None,
                 resolver=socket.getaddrinfo):
        self.connect_timeout, self.read_timeout = _timeouts(timeout)
        self.deadline = float(deadline or self.connect_timeout + self.read_timeout)
        self.max_body = max_body
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
        adapter = _PinnedAdapter(pool_connections=32, pool_maxsize=32, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def denied(self, endpoint: str) -> str | None:
        """Why the denylist forbids `endpoint`'s host, if a quick lookup already tells."""
        parts = urlsplit(endpoint)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return refusal(parts.hostname or "", port, self.denylist, self.resolver,
                       min(self.connect_timeout, SAVE_LOOKUP_TIMEOUT))

    def get(self, target, path: str, *, authenticate: bool = True) -> HttpResponse:
        """GET `path` below the target's endpoint; raise HttpFailure on no response."""
        return self.request("GET", target, path, authenticate=authenticate)

    def request(self, method: str, target, path: str, *, authenticate: bool = True,
                json=None) -> HttpResponse:
        """Send one request and return its response, or raise HttpFailure."""
        url = target.endpoint.rstrip("/") + path
        if urlsplit(url).scheme not in ("http", "https"):
            raise HttpFailure("The endpoint must start with http:// or https://.")
        headers = {"Accept": "application/json, text/plain;q=0.9, */*;q=0.1",
                   "User-Agent": "preheat"}
        if authenticate:
            headers.update(authorization_header(target.credentials))
        what = f"{method} {path.split('?', 1)[0]}"
        exchange = Exchange(self.deadline, self.denylist, self.resolver)
        started = time.monotonic()
        try:
            with exchange_scope(exchange), self._sessions[bool(target.insecure)].request(
                    method, url, headers=headers, json=json,
                    timeout=(self.connect_timeout, self.read_timeout),
                    verify=not target.insecure, allow_redirects=False,
                    stream=True) as response:
                body, truncated = self._read_body(response, exchange)
        except ConnectFailure as exc:
            raise HttpFailure(str(exc), _elapsed_ms(started)) from None
        except requests.RequestException as exc:
            raise HttpFailure(self._describe(exc, exchange, what), _elapsed_ms(started)) from None
        if exchange.expired:
            raise HttpFailure(self._deadline_reason(what), _elapsed_ms(started))
        # The secrets even when none were sent this time: one sent earlier may come back.
        return HttpResponse(response.status_code, dict(response.headers), body,
                            _elapsed_ms(started), truncated, secrets_of(target.credentials))

    def _read_body(self, response: requests.Response, exchange: Exchange):
        body = bytearray()
        for chunk in response.iter_content(8192):
            body.extend(chunk)
            if len(body) > self.max_body:
                return bytes(body[: self.max_body]), True
            if exchange.remaining() <= 0:
                exchange.expire()
                break
        return bytes(body), False

    def _describe(self, exc: requests.RequestException, exchange: Exchange, what: str) -> str:
        if exchange.expired:
            return self._deadline_reason(what)
        return describe_exception(exc, self.read_timeout, what)

    def _deadline_reason(self, what: str) -> str:
        return (f"Gave up after {self.deadline:g} s: the provider was still sending its"
                f" answer to {what} (it sends data far too slowly).")

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()


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


def describe_exception(exc: requests.RequestException, timeout: float, what: str) -> str:
    """Turn a requests exception into a sentence for a sysadmin."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return ("TLS certificate not trusted. If the provider uses a self-signed"
                    " certificate, select Skip certificate verification.")
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
            return "TLS handshake failed: the endpoint does not speak HTTPS on this port."
        return "TLS handshake failed: the endpoint may not speak HTTPS on this port."
    if isinstance(exc, requests.Timeout):
        return (f"Timed out after {timeout:g} s waiting for an answer to {what}: the"
                " provider accepted the connection but did not answer.")
    if isinstance(exc, requests.ConnectionError):
        if "Connection reset" in text or "RemoteDisconnected" in text \
                or "BadStatusLine" in text:
            return f"The provider closed the connection without answering {what}."
        return f"The connection broke while talking to the provider ({what})."
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"The provider's answer to {what} was cut off."
    if isinstance(exc, requests.exceptions.InvalidURL):
        return "The endpoint is not a valid URL."
    return f"The request to the provider failed ({what})."
