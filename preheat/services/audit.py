"""The audit trail: who changed or tried what, when, from where, and the outcome.

Successful changes are recorded in the same transaction as the change
itself; failures are recorded on their own after the rollback. Refused
requests are counted: repeats within a minute add to one entry.
"""
from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..models import AuditEntry, utcnow
from ..validation import CONTROL_CHARS

log = logging.getLogger(__name__)
ACTIONS = ("create", "update", "enable", "deactivate", "delete", "test_connection", "execute",
           "stop", "access_denied")
OUTCOMES = ("success", "failure")
DETAIL_MAX = 2000
SEVERAL_NAMES = "(several names)"
RULE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


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


def audit_refusal(session, object_type: str, *, refused_credentials: str | None = None) -> None:
    """Record a refused request; repeats of it within the minute add to one entry's count.

    Repeats are those of one user on one route (the URL rule, not the concrete
    path). Refused credentials (`refused_credentials` says why) claim a name
    anyone can make up, so their repeats are those from one address: the
    entry names the claimed user, or says that several names were tried.
    """
    route = f"{request.method} {_route()}"
    username, address = actor()
    who = f"user {username}"
    detail = route
    if refused_credentials:
        username, who = _claimed_name(), f"address {address}"
        detail = f"{route}: {refused_credentials}"
    now = utcnow()
    minute = now.replace(second=0, microsecond=0).isoformat()
    key = hashlib.sha256(f"{object_type}|{who}|{detail}|{minute}".encode()).hexdigest()
    values = {"occurred_at": now, "username": username, "address": address,
              "action": "access_denied", "object_type": object_type, "outcome": "failure",
              "detail": detail[:DETAIL_MAX], "count": 1, "repeat_key": key}
    try:
        _count_repeat(session, values)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.warning("could not record a refused %s in the audit log", route)


def _route() -> str:
    """The URL rule the request matched, its variables without converters: /x/<id>/edit."""
    if request.url_rule is None:
        return request.path
    return RULE_VARIABLE.sub(r"<\1>", request.url_rule.rule)


def _claimed_name() -> str:
    auth = request.authorization
    name = auth.username if auth is not None and auth.type == "basic" else None
    return CONTROL_CHARS.sub("?", name)[:128] if name else "anonymous"


def _count_repeat(session, values: dict) -> None:
    """Insert the entry, or add one to the count of the entry with its repeat_key, atomically."""
    upsert = UPSERTS.get(session.get_bind(AuditEntry).dialect.name)
    if upsert is None:
        _count_repeat_portably(session, values)
        return
    statement = upsert(AuditEntry).values(values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[AuditEntry.repeat_key],
        set_=_one_more(statement.excluded.username)))


def _count_repeat_portably(session, values: dict) -> None:
    """The same for other databases: count, else insert, else (lost a race) count."""
    count = (update(AuditEntry).where(AuditEntry.repeat_key == values["repeat_key"])
             .values(_one_more(literal(values["username"]))))
    if session.execute(count).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(AuditEntry(**values))
    except IntegrityError:
        # Another request inserted the first entry meanwhile; the unique index said so.
        session.execute(count)


def _one_more(username) -> dict:
    """Add one to the count; the entry says several names when this repeat claims another."""
    return {"count": AuditEntry.count + 1,
            "username": case((AuditEntry.username == username, AuditEntry.username),
                             else_=literal(SEVERAL_NAMES))}


def prune(session) -> int:
    """Delete entries older than PREHEAT_AUDIT_RETENTION_DAYS; periodic work, hourly."""
    days = current_app.config.get("PREHEAT_AUDIT_RETENTION_DAYS")
    if not days:
        return 0
    cutoff = utcnow() - timedelta(days=float(days))
    deleted = session.execute(delete(AuditEntry).where(AuditEntry.occurred_at < cutoff))
    session.commit()
    return deleted.rowcount or 0
