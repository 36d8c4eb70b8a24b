"""How the Registries and Projects tables list their rows (see pages.Listing)."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import case, func, select

from ..models import Policy, Project, Registry
from .pages import Listing


class ListedRegistry(NamedTuple):
    """A registry as its table reads it; `auth_secret` is sealed, opened only for the user name."""

    id: int
    name: str
    description: str | None
    url: str
    public_url: str | None
    auth_mode: str
    auth_secret: str | None
    insecure: bool
    created_at: datetime
    health_status: str
    health_reason: str | None
    health_http_status: int | None
    health_latency_ms: int | None
    health_checked_at: datetime | None
    health_claimed_until: datetime | None


class ListedProject(NamedTuple):
    """A project as its table reads it, with its registry's name."""

    id: int
    name: str
    registry_name: str | None  # None: a project of the host's image source
    repo_count: int | None
    created_at: datetime
    policy_count: int


# A correlated count: one statement for the page, however many projects it shows.
POLICY_COUNT = (select(func.count(Policy.id)).where(Policy.project_id == Project.id)
                .correlate(Project).scalar_subquery())
REGISTRY_STATUS = case((Registry.health_checked_at.is_(None), "unknown"),
                       else_=Registry.health_status)

REGISTRIES = Listing(
    ListedRegistry, tuple(getattr(Registry, name) for name in ListedRegistry._fields),
    Registry.__table__,
    {"name": Registry.name_key, "url": Registry.url, "status": REGISTRY_STATUS,
     "auth_mode": Registry.auth_mode, "insecure": Registry.insecure,
     "created_at": Registry.created_at},
    filtered=Registry.name, name_key=Registry.name_key, id=Registry.id)

PROJECTS = Listing(
    ListedProject,
    (Project.id, Project.name, Registry.name.label("registry_name"), Project.repo_count,
     Project.created_at, POLICY_COUNT.label("policy_count")),
    Project.__table__.outerjoin(Registry.__table__, Project.registry_id == Registry.id),
    {"name": Project.name, "registry": Registry.name_key, "repo_count": Project.repo_count,
     "created_at": Project.created_at, "policy_count": POLICY_COUNT},
    filtered=Project.name, name_key=Project.name, id=Project.id)
