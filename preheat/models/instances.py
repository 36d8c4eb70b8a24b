"""Provider instances: the Dragonfly and Kraken endpoints images are preheated into."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import AUTH_MODES, Base, NamedEndpoint, UTCDateTime, named_checks, utcnow


class Instance(NamedEndpoint, Base):
    """A P2P preheat provider instance (a Dragonfly or Kraken endpoint)."""

    __tablename__ = "preheat_instance"
    __table_args__ = (
        Index("uq_preheat_instance_endpoint", "endpoint", unique=True),
        Index(
            "uq_preheat_instance_default",
            "is_default",
            unique=True,
            postgresql_where=text("is_default"),
            sqlite_where=text("is_default"),
        ),
        *named_checks(AUTH_MODES),
    )
    # How the messages about the endpoint name it.
    address_label = "endpoint"
    # Who answers there, in the sentences a user reads.
    peer = "provider"
    auth_modes = AUTH_MODES

    vendor: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(1024))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    setup_timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The pace of preheat submissions, shared by every process (executions/pacing.py):
    # when the next is due (epoch seconds), and the rate after a 429 (NULL: as configured).
    submit_tat: Mapped[float | None] = mapped_column(Float)
    submit_rate: Mapped[float | None] = mapped_column(Float)

    policies = relationship("Policy", back_populates="instance", passive_deletes="all",
                            order_by="Policy.name")

    def __repr__(self) -> str:
        return f"<Instance {self.id} {self.name!r}>"


# Names are unique regardless of case; declared here because it needs the column.
Index("uq_preheat_instance_name_ci", func.lower(Instance.name), unique=True)
