"""Paged, filtered listings of the audit log."""
from __future__ import annotations

from sqlalchemy import select

from ..models import AuditEntry
from .pages import Page, contains, paginate


def audit_page(session, *, instance: str = "", user: str = "", action: str = "",
               outcome: str = "", number: int = 1, size: int = 25, clamp: bool = True) -> Page:
    """Audit entries, newest first, filtered by instance name, user, action and outcome.

    With `clamp`, a page number past the end shows the last page; without, an empty one.
    """
    query = select(AuditEntry)
    if instance:
        query = query.where(contains(AuditEntry.object_name, instance))
    if user:
        query = query.where(contains(AuditEntry.username, user))
    if action:
        query = query.where(AuditEntry.action == action)
    if outcome:
        query = query.where(AuditEntry.outcome == outcome)
    newest_first = [AuditEntry.occurred_at.desc(), AuditEntry.id.desc()]
    return paginate(session, query, newest_first, number, size, clamp=clamp)
