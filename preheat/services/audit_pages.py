"""Paged, filtered listings of the audit log."""
from __future__ import annotations

import math

from sqlalchemy import func, select

from ..models import AuditEntry
from .pages import Page, escape_like


def audit_page(session, *, instance: str = "", user: str = "", action: str = "",
               outcome: str = "", number: int = 1, size: int = 25, clamp: bool = True) -> Page:
    """Audit entries, newest first, filtered by instance name, user, action and outcome.

    With `clamp`, a page number past the end shows the last page; without, an empty one.
    """
    query = select(AuditEntry)
    if instance:
        query = query.where(func.lower(AuditEntry.object_name).like(
            f"%{escape_like(instance.lower())}%", escape="\\"))
    if user:
        query = query.where(func.lower(AuditEntry.username).like(
            f"%{escape_like(user.lower())}%", escape="\\"))
    if action:
        query = query.where(AuditEntry.action == action)
    if outcome:
        query = query.where(AuditEntry.outcome == outcome)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if clamp:
        number = min(max(1, number), max(1, math.ceil(total / size)))
    items = session.scalars(query.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
                            .offset((number - 1) * size).limit(size)).all()
    return Page(list(items), total, number, size)
