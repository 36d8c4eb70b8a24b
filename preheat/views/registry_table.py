"""The Registries and Projects tables as they read: their columns and rows."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import NamedTuple

from flask import url_for

from ..crypto import SecretBox, SecretError
from . import urls
from .presenters import HealthView, format_datetime, health

# (label, sort field or None, class of the header cell), left to right.
REGISTRY_COLUMNS = (
    ("Name", "name", ""),
    ("URL", "url", ""),
    ("Status", "status", ""),
    ("Auth", "auth_mode", "preheat-nowrap"),
    ("Skip certificate verification", "insecure", ""),
    ("Description", None, ""),
    ("Creation time", "created_at", "preheat-nowrap"),
)
PROJECT_COLUMNS = (
    ("Name", "name", ""),
    ("Registry", "registry", ""),
    ("Repositories", "repo_count", ""),
    ("Policies", "policy_count", ""),
    ("Creation time", "created_at", "preheat-nowrap"),
)
UNKNOWN_COUNT = "—"


class RegistryRow(NamedTuple):
    """One row of the registry table, each value as the row shows it."""

    id: int
    name: str
    url: str
    public_url: str
    health: HealthView
    pending: bool
    check_url: str
    auth: str
    insecure: bool
    description: str
    created_iso: str
    created_text: str


class ProjectRow(NamedTuple):
    """One row of the project table, each value as the row shows it."""

    id: int
    name: str
    url: str
    registry: str
    repositories: str
    policies: int
    created_iso: str
    created_text: str


def registry_rows(items, box: SecretBox, pending=frozenset(),
                  now: datetime | None = None) -> list[RegistryRow]:
    """The rows for ListedRegistry `items`; only the user name is read from the credentials."""
    now = now or datetime.now(timezone.utc)
    check_url = urls.per_instance("preheat.registry_check", "registry_id")
    return [RegistryRow(r.id, r.name, r.url, r.public_url or "", health(r, now, r.id in pending),
                        r.id in pending, check_url(r.id), auth_text(r, box), r.insecure,
                        r.description or "", r.created_at.isoformat(),
                        format_datetime(r.created_at)) for r in items]


def auth_text(registry, box: SecretBox) -> str:
    """'None', or 'Basic (ops)' with the user name."""
    if registry.auth_mode != "BASIC":
        return "None"
    try:
        username = (box.open(registry.auth_secret) or {}).get("username")
    except SecretError:
        return "Basic (credentials cannot be decrypted)"
    return f"Basic ({username})" if username else "Basic"


def project_rows(items, source: str) -> list[ProjectRow]:
    """The rows for ListedProject `items`; each name links to its project page. `source`
    is the Registry cell of a project without one (the host's image source)."""
    return [ProjectRow(p.id, p.name, url_for("preheat.project", name=p.name),
                       p.registry_name or source,
                       UNKNOWN_COUNT if p.repo_count is None else str(p.repo_count),
                       p.policy_count, p.created_at.isoformat(), format_datetime(p.created_at))
            for p in items]
