"""The one way Preheat talks HTTP to providers.

Every call has a timeout, never follows a redirect, reads a bounded body and
turns each failure into a sentence a sysadmin understands. Nothing secret is
ever part of that sentence.
"""
from __future__ import annotations

import base64
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BODY = 64 * 1024
EXCERPT_LENGTH = 200


@dataclass(frozen=True)
class HttpResponse:
    """A response as drivers see it: status, headers and a capped body."""

    status: int
    headers: dict[str, str]
    body: bytes
    latency_ms: int
    # Values a careless provider might echo back (our own credentials).
    redact: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def excerpt(self) -> str:
        """A short, printable excerpt of the body for an error message."""
        text = self.text
        for secret in self.redact:
            text = text.replace(secret, "[redacted]")
        printable = "".join(ch if ch.isprintable() else " " for ch in text)
        text = " ".join(printable.split())
        return text[:EXCERPT_LENGTH] + ("..." if len(text) > EXCERPT_LENGTH else "")


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


def secret_values(credentials) -> tuple[str, ...]:
    """Every form in which our credentials could come back in a body, longest first."""
    values = [v for v in (credentials.password, credentials.token) if v]
    header = authorization_header(credentials).get("Authorization", "")
    if credentials.mode == "BASIC":
        values.append(header.split(" ", 1)[1])
    return tuple(sorted(set(values), key=len, reverse=True))


class HttpClient:
    """Pooled, bounded HTTP access to provider endpoints."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, max_body: int = DEFAULT_MAX_BODY):
        self.timeout = timeout
        self.max_body = max_body
        # One session per TLS mode, so pooled connections never mix verify modes.
        self._sessions = {insecure: self._new_session() for insecure in (False, True)}

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        adapter = HTTPAdapter(pool_connections=32, pool_maxsize=32, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def get(self, target, path: str, *, authenticate: bool = True) -> HttpResponse:
        """GET `path` below the target's endpoint; raise HttpFailure on no response."""
        return self.request("GET", target, path, authenticate=authenticate)

    def request(self, method: str, target, path: str, *, authenticate: bool = True,
                json=None) -> HttpResponse:
        """Send one request and return its response, or raise HttpFailure."""
        url = target.endpoint.rstrip("/") + path
        headers = {"Accept": "application/json, text/plain;q=0.9, */*;q=0.1",
                   "User-Agent": "preheat"}
        if authenticate:
            headers.update(authorization_header(target.credentials))
        session = self._sessions[bool(target.insecure)]
        started = time.monotonic()
        try:
            with session.request(method, url, headers=headers, json=json,
                                 timeout=self.timeout, verify=not target.insecure,
                                 allow_redirects=False, stream=True) as response:
                body = self._read_body(response, started)
        except requests.RequestException as exc:
            raise HttpFailure(describe_exception(exc, self.timeout),
                              _elapsed_ms(started)) from None
        return HttpResponse(response.status_code, dict(response.headers), body,
                            _elapsed_ms(started), secret_values(target.credentials))

    def _read_body(self, response: requests.Response, started: float) -> bytes:
        body = bytearray()
        for chunk in response.iter_content(8192):
            body.extend(chunk)
            if len(body) >= self.max_body:
                break
            if time.monotonic() - started > self.timeout:
                raise requests.Timeout("deadline exceeded while reading the body")
        return bytes(body[: self.max_body])

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def describe_exception(exc: requests.RequestException, timeout: float) -> str:
    """Turn a requests exception into a sentence for a sysadmin."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return ("TLS certificate not trusted. If the provider uses a self-signed"
                    " certificate, select Skip certificate verification.")
        return "TLS handshake failed: the endpoint may not speak HTTPS on this port."
    if isinstance(exc, (requests.ConnectTimeout, requests.ReadTimeout, requests.Timeout)):
        return f"Timed out after {timeout:g} s: the provider did not answer."
    if isinstance(exc, requests.ConnectionError):
        if "Name or service not known" in text or "nodename nor servname" in text \
                or "getaddrinfo failed" in text or "NameResolutionError" in text \
                or "No address associated" in text or "Temporary failure in name" in text:
            return "DNS lookup failed: the host name of the endpoint does not resolve."
        if "Connection refused" in text or "Errno 111" in text:
            return "Connection refused: nothing listens on the endpoint's host and port."
        if "Connection reset" in text or "RemoteDisconnected" in text:
            return "The provider closed the connection without answering."
        return "Cannot connect to the endpoint."
    if isinstance(exc, requests.exceptions.InvalidURL):
        return "The endpoint is not a valid URL."
    return "The request to the provider failed."
