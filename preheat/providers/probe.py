"""Turning one HTTP exchange into a CheckResult: shared by the drivers.

The reasons are our own sentences: an answer's body is never repeated, only
a message a driver has read from a body whose shape it knows.
"""
from __future__ import annotations

from http import HTTPStatus

from ..transport import HttpClient, HttpFailure, HttpResponse, Target
from .base import CheckResult


def fetch(http: HttpClient, target: Target, path: str, *, authenticate: bool = True):
    """GET `path`; return (response, None) or (None, failed CheckResult)."""
    try:
        return http.get(target, path, authenticate=authenticate), None
    except HttpFailure as failure:
        return None, CheckResult(False, failure.reason, latency_ms=failure.latency_ms)


def status_text(status: int) -> str:
    """'HTTP 500 Internal Server Error' style wording for a status code."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def unexpected_status(response: HttpResponse, what: str, message: str | None = None) -> CheckResult:
    """A failed result for a response that is not the expected 200.

    `message` is what the provider said, as its driver read and scrubbed it.
    """
    status = response.status
    if 300 <= status < 400:
        location = response.location()
        reason = (f"Unexpected redirect ({status_text(status)}) from {what}"
                  + (f" to {location}" if location else "")
                  + ": redirects are not followed; check the endpoint address.")
    elif status == 401:
        reason = f"{status_text(status)} from {what}: the credentials were rejected."
    else:
        reason = f"{status_text(status)} from {what}." + (
            f" The provider said: {message}" if message else "")
    return failed(response, reason)


def unexpected_body(response: HttpResponse, what: str, expected: str) -> CheckResult:
    """A failed result for a 200 whose body is not what the provider sends."""
    if response.truncated:
        got = f"more than {len(response.body) // 1024} KiB"
    elif not response.body.strip():
        got = "an empty body"
    else:
        got = _shape(response)
    return failed(response, f"Unexpected answer to {what}: expected {expected}, got {got}."
                            " Is the endpoint the right service?")


def failed(response: HttpResponse, reason: str) -> CheckResult:
    return CheckResult(False, reason, response.status, response.latency_ms)


def passed(response: HttpResponse, reason: str, latency_ms: int | None = None) -> CheckResult:
    return CheckResult(True, reason, response.status,
                       response.latency_ms if latency_ms is None else latency_ms)


def _shape(response: HttpResponse) -> str:
    """What kind of body came back, in our words: its text is not repeated."""
    size = f"{len(response.body)} bytes"
    if response.json() is not None:
        return f"a different JSON document ({size})"
    if response.text.lstrip().startswith("<"):
        return f"an HTML or XML document ({size})"
    return f"other text ({size})"
