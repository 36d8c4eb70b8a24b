"""What registries told Preheat: the push notifications received, and what became of them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

# pending: waits for its batch; processed: it started executions; ignored: note says why.
EVENT_STATUSES = ("pending", "processed", "ignored")


class RegistryEvent(Base):
    """One notification event of a registry, kept once however often the registry sends it."""

    __tablename__ = "preheat_registry_event"
    __table_args__ = (
        # Registries resend an event until they get a 2xx: its id makes it one row.
        Index("uq_preheat_registry_event_registry_id", "registry_id", "event_id", unique=True),
        Index("ix_preheat_registry_event_status_received", "status", "received_at"),
        CheckConstraint("status IN ('pending', 'processed', 'ignored')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_id: Mapped[int] = mapped_column(
        ForeignKey("preheat_registry.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    repository: Mapped[str] = mapped_column(String(255))
    tag: Mapped[str | None] = mapped_column(String(128))
    digest: Mapped[str | None] = mapped_column(String(80))
    media_type: Mapped[str | None] = mapped_column(String(128))
    # Who pushed, when the registry authenticates its clients.
    actor: Mapped[str | None] = mapped_column(String(128))
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    execution_id: Mapped[int | None] = mapped_column(
        ForeignKey("preheat_execution.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<RegistryEvent {self.id} {self.repository}:{self.tag} {self.status}>"
