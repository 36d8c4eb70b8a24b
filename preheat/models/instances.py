"""Provider instances and the preheat policies that use them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, func, text
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

    policies: Mapped[list[Policy]] = relationship(
        back_populates="instance", passive_deletes="all", order_by="Policy.name"
    )

    def __repr__(self) -> str:
        return f"<Instance {self.id} {self.name!r}>"


class Policy(Base):
    """A preheat policy; it pushes images to one provider instance."""

    __tablename__ = "preheat_policy"
    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 1 AND 128", name="name_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    # RESTRICT: the database itself refuses to delete an instance in use.
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("preheat_instance.id", ondelete="RESTRICT"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    instance: Mapped[Instance] = relationship(back_populates="policies")

    def __repr__(self) -> str:
        return f"<Policy {self.id} {self.name!r}>"


# Names are unique regardless of case; declared here because it needs the column.
Index("uq_preheat_instance_name_ci", func.lower(Instance.name), unique=True)
