"""Paged, filtered listings of the audit log."""
from __future__ import annotations

import math

from sqlalchemy import func, select

from ..models import AuditEntry
from .pages import Page, escape_like


def audit_page(session, *, instance: str = "", user: str = "", action: str = "",
               number: int = 1, size: int = 25) -> Page:
    """Audit entries, newest first, filtered by instance name, user and action."""
    query = select(AuditEntry)
    if instance:
        query = query.where(func.lower(AuditEntry.object_name).like(
            f"%{escape_like(instance.lower())}%", escape="\\"))
    if user:
        query = query.where(func.lower(AuditEntry.username).like(
            f"%{escape_like(user.lower())}%", escape="\\"))
    if action:
        query = query.where(AuditEntry.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    number = min(max(1, number), max(1, math.ceil(total / size)))
    items = session.scalars(query.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
                            .offset((number - 1) * size).limit(size)).all()
    return Page(list(items), total, number, size)
