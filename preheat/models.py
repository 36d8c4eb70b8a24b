"""Database tables owned by Preheat.

The tables live on their own declarative base and metadata, so a host
application's models and migrations never see them and vice versa; the host's
Flask-SQLAlchemy session still reads and writes them through the default bind.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

from .natural_sort import KEY_MAX, natural_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The name pattern ^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$ spelled for each
# database: PostgreSQL has regular expressions, SQLite only GLOB, where the
# four clauses together say exactly the same thing.
NAME_CHECK_POSTGRESQL = "name ~ '^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$'"
NAME_CHECK_SQLITE = (
    "name GLOB '[A-Za-z0-9]*' AND name NOT GLOB '*[^-A-Za-z0-9._]*'"
    " AND name NOT GLOB '*[-._]' AND name NOT GLOB '*[-._][-._]*'"
)

AUTH_MODES = ("NONE", "BASIC", "OAUTH")
HEALTH_STATES = ("unknown", "healthy", "unhealthy")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC that always reads back timezone-aware.

    SQLite keeps no zone, so values come back naive there; this puts UTC back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Instance(Base):
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
        CheckConstraint("length(name) BETWEEN 1 AND 128", name="name_length"),
        CheckConstraint(NAME_CHECK_POSTGRESQL, name="name_pattern").ddl_if(
            dialect="postgresql"
        ),
        CheckConstraint(NAME_CHECK_SQLITE, name="name_pattern").ddl_if(dialect="sqlite"),
        CheckConstraint(
            "description IS NULL OR length(description) <= 1000", name="description_length"
        ),
        CheckConstraint("auth_mode IN ('NONE', 'BASIC', 'OAUTH')", name="auth_mode"),
        CheckConstraint(
            "health_status IN ('unknown', 'healthy', 'unhealthy')", name="health_status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    # The name as it sorts naturally (bulk-2 before bulk-10), kept in step with
    # `name` below, so the list can sort and page in SQL. Byte order ("C") on
    # PostgreSQL: a locale's collation would skip the '-' and '.' in it.
    name_key: Mapped[str] = mapped_column(
        String(KEY_MAX).with_variant(String(KEY_MAX, collation="C"), "postgresql"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    vendor: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(1024))
    auth_mode: Mapped[str] = mapped_column(String(16), default="NONE")
    # Fernet token of the JSON auth_info map; never leaves the service layer.
    auth_secret: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    insecure: Mapped[bool] = mapped_column(Boolean, default=False)
    setup_timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    health_status: Mapped[str] = mapped_column(String(16), default="unknown")
    health_reason: Mapped[str | None] = mapped_column(Text)
    health_http_status: Mapped[int | None] = mapped_column(Integer)
    health_latency_ms: Mapped[int | None] = mapped_column(Integer)
    health_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while some process checks the instance; the lease ends by itself if it dies.
    health_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    policies: Mapped[list[Policy]] = relationship(
        back_populates="instance", passive_deletes="all", order_by="Policy.name"
    )

    @validates("name")
    def _keep_name_key(self, _field: str, name: str) -> str:
        self.name_key = natural_key(name)
        return name

    def __repr__(self) -> str:
        return f"<Instance {self.id} {self.name!r}>"


class Policy(Base):
    """A preheat policy; it pushes images to one provider instance."""

    __tablename__ = "preheat_policy"
    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 1 AND 128", name="name_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
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
