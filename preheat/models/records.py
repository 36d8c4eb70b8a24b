"""What Preheat keeps about its own work: the audit trail and when periodic work is due."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One recorded change or attempt: who did what to which object, and how it went."""

    __tablename__ = "preheat_audit_log"
    __table_args__ = (
        CheckConstraint("outcome IN ('success', 'failure')", name="outcome"),
        Index("uq_preheat_audit_log_repeat_key", "repeat_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(128), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    # No foreign key: the record outlives the object it describes.
    object_id: Mapped[int | None] = mapped_column(Integer)
    object_name: Mapped[str | None] = mapped_column(String(128), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    # Repeats of one refusal (same who, route and minute) add to one entry's
    # count, found by repeat_key, so that a script hammering a route it may
    # not use cannot grow the log by a row per request.
    count: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    repeat_key: Mapped[str | None] = mapped_column(String(64))


class PeriodicRun(Base):
    """When a piece of periodic work is next due; every process compares and swaps it."""

    __tablename__ = "preheat_periodic_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
