"""A dialog's Test connection result, handed back with OK so the saved row starts with it.

The result travels signed (it cannot be forged) and tied to the settings it
was tested with: it is kept only when the saved row still has those settings,
and only for a few minutes.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..providers import CheckResult
from ..transport import Target

SALT = "preheat-tested-connection"
MAX_AGE = 600


def token(target: Target, result: CheckResult) -> str:
    """The signed result of testing `target`, for the dialog's hidden `tested` field."""
    return _serializer().dumps({"for": _fingerprint(target), "ok": result.ok,
                                "reason": result.reason, "http": result.http_status,
                                "ms": result.latency_ms, "at": result.checked_at.isoformat()})


def result_for(target: Target, value: str | None) -> CheckResult | None:
    """The result `value` carries, when it is genuine, recent and about this very target."""
    try:
        data = _serializer().loads(value or "", max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not hmac.compare_digest(str(data.get("for")),
                                                             _fingerprint(target)):
        return None
    return CheckResult(bool(data["ok"]), str(data["reason"]), data["http"], data["ms"],
                       datetime.fromisoformat(data["at"]))


def record(row, result: CheckResult) -> None:
    """Store `result` as the row's health (the caller commits)."""
    row.health_status, row.health_reason = result.status, result.reason
    row.health_http_status, row.health_latency_ms = result.http_status, result.latency_ms
    row.health_checked_at = result.checked_at


def _fingerprint(target: Target) -> str:
    """A keyed digest of the address and credentials: it names them without showing them."""
    credentials = target.credentials
    parts = (target.endpoint, credentials.mode, credentials.username or "",
             credentials.password or "", str(bool(target.insecure)))
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, "\0".join(parts).encode(), hashlib.sha256).hexdigest()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)
