"""Turning one HTTP exchange into a CheckResult: shared by the drivers."""
from __future__ import annotations

from .base import CheckResult, Target
from .http import HttpClient, HttpFailure, HttpResponse


def fetch(http: HttpClient, target: Target, path: str, *, authenticate: bool = True):
    """GET `path`; return (response, None) or (None, failed CheckResult)."""
    try:
        return http.get(target, path, authenticate=authenticate), None
    except HttpFailure as failure:
        return None, CheckResult(False, failure.reason, latency_ms=failure.latency_ms)


def unexpected_status(response: HttpResponse, what: str) -> CheckResult:
    """A failed result for a response that is not the expected 200."""
    status = response.status
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        reason = (f"Unexpected redirect (HTTP {status}) from {what}"
                  + (f" to {location[:200]}" if location else "")
                  + ": check the endpoint address.")
    elif status == 401:
        reason = f"HTTP 401 Unauthorized from {what}: the credentials were rejected."
    elif status == 403:
        reason = f"HTTP 403 Forbidden from {what}."
    else:
        reason = f"HTTP {status} from {what}."
    excerpt = response.excerpt()
    if excerpt and not 300 <= status < 400:
        reason += f" The provider said: {excerpt}"
    return CheckResult(False, reason, status, response.latency_ms)
