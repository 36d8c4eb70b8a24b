"""The audit trail: who changed or tried what, when, from where, and the outcome.

Successful changes are recorded in the same transaction as the change
itself; failures are recorded on their own after the rollback.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from ..models import AuditEntry, utcnow

log = logging.getLogger(__name__)
ACTIONS = ("create", "update", "enable", "deactivate", "delete", "test_connection",
           "access_denied")
OUTCOMES = ("success", "failure")
DETAIL_MAX = 2000
_last_prune = {"at": 0.0}


def actor() -> tuple[str, str | None]:
    """The user and address behind the current request ('system' outside one)."""
    if not has_request_context():
        return "system", None
    user = current_user
    name = getattr(user, "username", None) or getattr(user, "name", None)
    if not name and getattr(user, "is_authenticated", False):
        name = f"user {user.get_id()}"
    return str(name or "anonymous")[:128], (request.remote_addr or "")[:64] or None


def record(session, action: str, *, name: str | None, object_id: int | None = None,
           outcome: str = "success", detail: str | None = None,
           object_type: str = "instance") -> None:
    """Add an entry to the session; it is stored with the caller's commit."""
    username, address = actor()
    session.add(AuditEntry(
        occurred_at=utcnow(), username=username, address=address, action=action,
        object_type=object_type, object_id=object_id, object_name=(name or "")[:128] or None,
        outcome=outcome, detail=(detail or "")[:DETAIL_MAX] or None))


def record_failure(session, action: str, *, name: str | None, detail: str,
                   object_id: int | None = None, object_type: str = "instance") -> None:
    """Store a failed attempt in its own transaction; never raise over the real error."""
    try:
        record(session, action, name=name, object_id=object_id, outcome="failure",
               detail=detail, object_type=object_type)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.warning("could not record a failed %s in the audit log", action)


def prune(session, *, force: bool = False) -> int:
    """Delete entries older than PREHEAT_AUDIT_RETENTION_DAYS (at most hourly unless forced)."""
    days = current_app.config.get("PREHEAT_AUDIT_RETENTION_DAYS")
    if not days or (not force and time.monotonic() - _last_prune["at"] < 3600):
        return 0
    _last_prune["at"] = time.monotonic()
    cutoff = utcnow() - timedelta(days=float(days))
    deleted = session.execute(delete(AuditEntry).where(AuditEntry.occurred_at < cutoff))
    session.commit()
    return deleted.rowcount or 0
