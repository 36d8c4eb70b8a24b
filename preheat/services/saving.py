"""Saving what a sysadmin manages (instances, registries, projects): one set of rules.

Uniqueness checked before the write and backed by the database's indexes,
the audit trail in the same transaction, refused attempts recorded on their
own, and races (a row deleted or taken meanwhile) turned into messages.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, constraints
from ..validation import NAME_MAX, NAME_PATTERN
from .errors import Conflict, FieldError, InUse, NotFound

HEALTH_RESET = {"health_status": "unknown", "health_reason": None, "health_http_status": None,
                "health_latency_ms": None, "health_checked_at": None}


def deleted_meanwhile(noun: str) -> str:
    """The message for a row another request deleted since this one read it."""
    return f"The {noun} was deleted by someone else meanwhile; reload to see the list."


def get_row(session: Session, model, row_id: int, noun: str):
    """Return the `model` row with this id or raise NotFound ("Registry 3 does not exist.")."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{noun.capitalize()} {row_id} does not exist.")
    return row


def get_named(session: Session, model, name: str, noun: str):
    """Return the `model` row with this name (any case) or raise NotFound."""
    # A name no row can have is not worth a query (and NUL bytes upset PostgreSQL).
    if len(name) > NAME_MAX or not NAME_PATTERN.fullmatch(name):
        raise NotFound(f"No {noun} has this name: names are 1 to 128 letters, digits"
                       " and single '.', '_' or '-' between them.")
    row = session.scalar(select(model).where(func.lower(model.name) == name.lower()))
    if row is None:
        raise NotFound(f"{noun.capitalize()} {name!r} does not exist.")
    return row


def ensure_unique(session: Session, row, column, value, field: str, message: str,
                  *within) -> None:
    """Raise Conflict when another row of the same table (meeting `within`) has `value`."""
    model = type(row)
    query = select(model.id).where(column == value, *within)
    if row.id is not None:
        query = query.where(model.id != row.id)
    with session.no_autoflush:
        if session.scalar(query.limit(1)) is not None:
            raise Conflict(field, message)


def refuse_denied(field: str, endpoint: str) -> None:
    """Refuse a new address the denylist forbids, in the words a check would use.

    Only a changed address: a row saved before the denylist grew stays
    editable, and its checks keep saying why they are blocked.
    """
    state = current_app.extensions.get("preheat") if has_app_context() else None
    reason = state.http.denied(endpoint) if state is not None else None
    if reason:
        raise FieldError(field, reason)


def forget_health(row) -> None:
    """Clear the stored health: what it said is about a place the row no longer points at."""
    for field, value in HEALTH_RESET.items():
        setattr(row, field, value)


def changes(before: dict, after: dict, labels: dict[str, str] | None = None) -> str:
    """Which fields changed, with old and new values; `credentials` only as 'changed'."""
    parts = []
    for field, old in before.items():
        new = after[field]
        if old == new:
            continue
        label = (labels or {}).get(field, field)
        parts.append(f"{label} changed" if field == "credentials"
                     else f"{label}: {written(old)} -> {written(new)}")
    return "; ".join(parts) or "no changes"


def written(value) -> str:
    """A value as a person writes it: (empty), yes or no, text in plain quotes."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f'"{value}"'


@contextmanager
def audit_failure(session: Session, action: str, name: str, object_id: int | None = None,
                  object_type: str = "instance"):
    """Undo half-applied changes, record a refused attempt, and re-raise.

    A collision with another row is worth a record; a value that breaks a
    rule (a typo in one's own form or payload) is answered, not recorded.
    """
    try:
        yield
    except Conflict as error:
        session.rollback()
        audit.record_failure(session, action, name=name, object_id=object_id,
                             detail=f"{error.field}: {error.message}", object_type=object_type)
        raise
    except Exception:
        session.rollback()
        raise


def commit(session: Session, row, action: str, detail: str, conflicts: dict, *,
           object_type: str = "instance", noun: str = "instance"):
    """Record the change and commit; a unique index firing in a race becomes a Conflict.

    `conflicts` maps each unique index's name to the (field, message) it means.
    """
    try:
        with gone_meanwhile(session, noun):
            session.flush()
            audit.record(session, action, name=row.name, object_id=row.id, detail=detail,
                         object_type=object_type)
            session.commit()
    except IntegrityError as exc:
        session.rollback()
        known = conflicts.get(constraints.violated(exc))
        if known is None:
            raise
        raise Conflict(*known) from None
    return row


@contextmanager
def gone_meanwhile(session: Session, noun: str = "instance"):
    """A row another request deleted since we read it becomes a NotFound, not a 500."""
    try:
        yield
    except StaleDataError:
        session.rollback()
        raise NotFound(deleted_meanwhile(noun)) from None


def in_use(held: list[tuple[str, list[str]]], used_by, one: str, many: str) -> InUse:
    """The refusal to delete rows that others still use: 'Cannot delete: a is used by ...'.

    `held` pairs each row's name with the names of what uses it; `used_by(name,
    users)` says it for one row; `one` and `many` name a user ("policy").
    """
    parts = [used_by(name, users) for name, users in held]
    names = [user for _, users in held for user in users]
    them = f"that {one}" if len(names) == 1 else f"those {many}"
    return InUse("Cannot delete: " + "; ".join(parts) + f". Delete {them} first.", names)


@contextmanager
def refused_deletes(session: Session, names: list[str], object_type: str = "instance"):
    """Record a refused deletion for each of `names` when the block raises InUse."""
    try:
        yield
    except InUse as error:
        session.rollback()
        for name in names:
            audit.record_failure(session, "delete", name=name, detail=error.message,
                                 object_type=object_type)
        raise


def commit_delete(session: Session, noun: str, taken: str) -> None:
    """Commit deletions; a row put to use since they were checked makes `taken` an InUse."""
    try:
        with gone_meanwhile(session, noun):
            session.commit()
    except IntegrityError:
        session.rollback()
        raise InUse(taken, []) from None
