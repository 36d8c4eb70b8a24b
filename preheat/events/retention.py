"""Old notification events are deleted: their executions keep what they caused."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from ..models import RegistryEvent, utcnow

DEFAULT_DAYS = 7


def prune(session, days: float = DEFAULT_DAYS) -> int:
    """Delete the events received more than `days` ago that are no longer pending."""
    cutoff = utcnow() - timedelta(days=days)
    deleted = session.execute(delete(RegistryEvent).where(
        RegistryEvent.received_at < cutoff, RegistryEvent.status != "pending")).rowcount
    session.commit()
    return deleted
