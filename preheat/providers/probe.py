"""Turning one HTTP exchange into a CheckResult: shared by the drivers."""
from __future__ import annotations

from http import HTTPStatus

from .base import CheckResult, Target
from .http import HttpClient, HttpFailure, HttpResponse, sanitize


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


def said(response: HttpResponse) -> str:
    """' The provider said: ...' with a sanitized excerpt, or nothing."""
    excerpt = response.excerpt()
    return f" The provider said: {excerpt}" if excerpt else ""


def unexpected_status(response: HttpResponse, what: str) -> CheckResult:
    """A failed result for a response that is not the expected 200."""
    status = response.status
    if 300 <= status < 400:
        location = response.location()
        reason = (f"Unexpected redirect ({status_text(status)}) from {what}"
                  + (f" to {location}" if location else "")
                  + ": redirects are not followed; check the endpoint address.")
    elif status == 401:
        reason = f"{status_text(status)} from {what}: the credentials were rejected."
    else:
        reason = f"{status_text(status)} from {what}." + said(response)
    return failed(response, reason)


def unexpected_body(response: HttpResponse, what: str, expected: str) -> CheckResult:
    """A failed result for a 200 whose body is not what the provider sends."""
    if response.truncated:
        got = f"more than {len(response.body) // 1024} KiB"
    elif not response.body.strip():
        got = "an empty body"
    else:
        got = f"“{sanitize(response.text[:60], response.secrets)}”"
    return failed(response, f"Unexpected answer to {what}: expected {expected}, got {got}."
                            " Is the endpoint the right service?")


def failed(response: HttpResponse, reason: str) -> CheckResult:
    return CheckResult(False, reason, response.status, response.latency_ms)


def passed(response: HttpResponse, reason: str, latency_ms: int | None = None) -> CheckResult:
    return CheckResult(True, reason, response.status,
                       response.latency_ms if latency_ms is None else latency_ms)
