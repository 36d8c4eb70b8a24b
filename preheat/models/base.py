"""What every Preheat table shares: the declarative base, UTC timestamps, name and health columns.

The tables live on their own declarative base and metadata, so a host
application's models and migrations never see them and vice versa; the host's
Flask-SQLAlchemy session still reads and writes them through the default bind.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, DateTime, Integer, MetaData, String, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates
from sqlalchemy.types import TypeDecorator

from ..natural_sort import KEY_MAX, natural_key

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_new(session, model, unique: list[str]):
    """An INSERT of `model` rows that skips, without an error, those whose `unique`
    columns another row (perhaps another process's, a moment ago) already holds."""
    insert = INSERTS[session.get_bind().dialect.name]
    return insert(model).on_conflict_do_nothing(index_elements=unique)


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


def named_checks(auth_modes: tuple[str, ...]) -> tuple[CheckConstraint, ...]:
    """The checks of a table of named, checked endpoints (instances, registries)."""
    modes = ", ".join(f"'{mode}'" for mode in auth_modes)
    states = ", ".join(f"'{state}'" for state in HEALTH_STATES)
    return (
        CheckConstraint("length(name) BETWEEN 1 AND 128", name="name_length"),
        CheckConstraint(NAME_CHECK_POSTGRESQL, name="name_pattern").ddl_if(
            dialect="postgresql"),
        CheckConstraint(NAME_CHECK_SQLITE, name="name_pattern").ddl_if(dialect="sqlite"),
        CheckConstraint(
            "description IS NULL OR length(description) <= 1000", name="description_length"),
        CheckConstraint(f"auth_mode IN ({modes})", name="auth_mode"),
        CheckConstraint(f"health_status IN ({states})", name="health_status"),
    )


class NamedEndpoint:
    """Columns of a named endpoint a sysadmin manages: a provider instance or a registry.

    Credentials are the Fernet token of the JSON auth_info map and never
    leave the service layer; the health columns hold the last check.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    # The name as it sorts naturally (bulk-2 before bulk-10), kept in step with
    # `name` below, so the list can sort and page in SQL. Byte order ("C") on
    # PostgreSQL: a locale's collation would skip the '-' and '.' in it.
    name_key: Mapped[str] = mapped_column(
        String(KEY_MAX).with_variant(String(KEY_MAX, collation="C"), "postgresql"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    auth_mode: Mapped[str] = mapped_column(String(16), default="NONE")
    auth_secret: Mapped[str | None] = mapped_column(Text)
    insecure: Mapped[bool] = mapped_column(default=False)

    health_status: Mapped[str] = mapped_column(String(16), default="unknown")
    health_reason: Mapped[str | None] = mapped_column(Text)
    health_http_status: Mapped[int | None] = mapped_column(Integer)
    health_latency_ms: Mapped[int | None] = mapped_column(Integer)
    health_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while some process checks it; the lease ends by itself if that process dies.
    health_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @validates("name")
    def _keep_name_key(self, _field: str, name: str) -> str:
        self.name_key = natural_key(name)
        return name
