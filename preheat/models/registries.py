"""Registries, where the images to preheat live, and projects, a registry's namespaces."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from .base import Base, NamedEndpoint, UTCDateTime, named_checks, utcnow

REGISTRY_AUTH_MODES = ("NONE", "BASIC")
REGISTRY_TYPES = ("docker-registry",)
PROJECT_NAME_MAX = 255
# ^[a-z0-9]+(?:[._-][a-z0-9]+)*$ for each database, as for instance names.
PROJECT_NAME_CHECK_POSTGRESQL = "name ~ '^[a-z0-9]+(?:[._-][a-z0-9]+)*$'"
PROJECT_NAME_CHECK_SQLITE = (
    "name GLOB '[a-z0-9]*' AND name NOT GLOB '*[^-a-z0-9._]*'"
    " AND name NOT GLOB '*[-._]' AND name NOT GLOB '*[-._][-._]*'"
)


class Registry(NamedEndpoint, Base):
    """An OCI / Docker Distribution v2 registry that holds the images to preheat."""

    __tablename__ = "preheat_registry"
    __table_args__ = (
        Index("uq_preheat_registry_url", "url", unique=True),
        CheckConstraint("type IN ('docker-registry')", name="type"),
        *named_checks(REGISTRY_AUTH_MODES),
    )
    address_label = "URL"
    # Who answers there, in the sentences a user reads.
    peer = "registry"
    auth_modes = REGISTRY_AUTH_MODES

    type: Mapped[str] = mapped_column(String(32), default="docker-registry")
    url: Mapped[str] = mapped_column(String(1024))
    # Where providers pull from, when they reach the registry by another address.
    public_url: Mapped[str | None] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The secret the registry's notifications carry, sealed like the credentials;
    # only its last four characters are ever shown again.
    webhook_secret: Mapped[str | None] = mapped_column(Text)
    webhook_secret_hint: Mapped[str | None] = mapped_column(String(4))
    webhook_secret_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Credentials and health checks speak of an endpoint, whoever owns it.
    endpoint = synonym("url")

    projects: Mapped[list[Project]] = relationship(
        back_populates="image_registry", passive_deletes="all", order_by="Project.name")

    @property
    def pull_url(self) -> str:
        """The address providers pull from: the public URL when there is one."""
        return self.public_url or self.url

    def __repr__(self) -> str:
        return f"<Registry {self.id} {self.name!r}>"


class Project(Base):
    """A namespace of one registry: project `library` holds the repositories `library/*`."""

    __tablename__ = "preheat_project"
    __table_args__ = (
        Index("uq_preheat_project_name", "name", unique=True),
        CheckConstraint(f"length(name) BETWEEN 1 AND {PROJECT_NAME_MAX}", name="name_length"),
        CheckConstraint(PROJECT_NAME_CHECK_POSTGRESQL, name="name_pattern").ddl_if(
            dialect="postgresql"),
        CheckConstraint(PROJECT_NAME_CHECK_SQLITE, name="name_pattern").ddl_if(
            dialect="sqlite"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(PROJECT_NAME_MAX))
    # RESTRICT: the database itself refuses to delete a registry projects use.
    # None for a project of the host's image source (`init_app(artifact_source=...)`).
    registry_id: Mapped[int | None] = mapped_column(
        ForeignKey("preheat_registry.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How many repositories the registry's catalog held for it when last read.
    repo_count: Mapped[int | None] = mapped_column()
    repos_counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    image_registry: Mapped[Registry | None] = relationship(back_populates="projects")
    policies = relationship("Policy", back_populates="project", passive_deletes="all",
                            order_by="Policy.name")

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name!r}>"


Index("uq_preheat_registry_name_ci", func.lower(Registry.name), unique=True)
