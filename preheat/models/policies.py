"""Preheat policies, their executions, and the tasks of an execution (one per image tag)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text,
                        func)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_CHECK_POSTGRESQL, NAME_CHECK_SQLITE, Base, UTCDateTime, utcnow

TRIGGERS = ("manual", "scheduled", "event_based")
# Harbor's statuses, for executions and tasks alike.
STATUSES = ("Pending", "Running", "Success", "Error", "Stopped")
ENDED = ("Success", "Error", "Stopped")


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Policy(Base):
    """Which images of a project go to which provider instance, and when."""

    __tablename__ = "preheat_policy"
    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 1 AND 128", name="name_length"),
        CheckConstraint(NAME_CHECK_POSTGRESQL, name="name_pattern").ddl_if(
            dialect="postgresql"),
        CheckConstraint(NAME_CHECK_SQLITE, name="name_pattern").ddl_if(dialect="sqlite"),
        CheckConstraint(_one_of("trigger", TRIGGERS), name="trigger"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    # RESTRICT: the database itself refuses to delete a project or instance in use.
    project_id: Mapped[int] = mapped_column(
        ForeignKey("preheat_project.id", ondelete="RESTRICT"), index=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("preheat_instance.id", ondelete="RESTRICT"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    repositories: Mapped[str] = mapped_column(String(1024), default="**")
    tags: Mapped[str] = mapped_column(String(1024), default="**")
    trigger: Mapped[str] = mapped_column(String(16), default="manual")
    # A scheduled policy's cron expression and IANA time zone; when it next runs.
    schedule: Mapped[str | None] = mapped_column(String(128))
    timezone: Mapped[str | None] = mapped_column(String(64))
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The provider's own settings (Dragonfly: scope, cluster ids, platform), as JSON.
    options: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    instance = relationship("Instance", back_populates="policies")
    project = relationship("Project", back_populates="policies")
    executions: Mapped[list[Execution]] = relationship(
        back_populates="policy", passive_deletes=True, order_by="Execution.id.desc()")

    def __repr__(self) -> str:
        return f"<Policy {self.id} {self.name!r}>"


class Execution(Base):
    """One run of a policy: its tasks, how it was triggered, and how it ended."""

    __tablename__ = "preheat_execution"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        CheckConstraint(_one_of("trigger", TRIGGERS), name="trigger"),
        Index("ix_preheat_execution_status_claimed", "status", "claimed_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("preheat_policy.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="Pending")
    status_message: Mapped[str | None] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(16), default="manual")
    # Who or what started it (user, schedule lateness, pushed events), as JSON.
    trigger_detail: Mapped[str | None] = mapped_column(Text)
    retry_of: Mapped[int | None] = mapped_column(
        ForeignKey("preheat_execution.id", ondelete="SET NULL"))
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while a process plans the execution; the lease ends by itself if it dies.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    policy: Mapped[Policy] = relationship(back_populates="executions")
    tasks: Mapped[list[Task]] = relationship(back_populates="execution", passive_deletes=True,
                                             order_by="Task.id")


class Task(Base):
    """One image tag of an execution: submitted to the provider, then followed to its end."""

    __tablename__ = "preheat_task"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        Index("ix_preheat_task_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    execution_id: Mapped[int] = mapped_column(
        ForeignKey("preheat_execution.id", ondelete="CASCADE"), index=True)
    repository: Mapped[str] = mapped_column(String(255))
    tag: Mapped[str] = mapped_column(String(128))
    digest: Mapped[str | None] = mapped_column(String(80))
    media_type: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="Pending")
    status_message: Mapped[str | None] = mapped_column(Text)
    provider_job_id: Mapped[str | None] = mapped_column(String(128))
    run_count: Mapped[int] = mapped_column(Integer, default=0)
    # Per-peer results as JSON; the log is what happened, in a sysadmin's words.
    peers: Mapped[str | None] = mapped_column(Text)
    log: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it is next to be submitted (again) or polled, and how long the last wait was.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    poll_interval: Mapped[float | None] = mapped_column(Float)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    execution: Mapped[Execution] = relationship(back_populates="tasks")


# Names are unique within a project regardless of case.
Index("uq_preheat_policy_project_name_ci", Policy.project_id, func.lower(Policy.name),
      unique=True)
