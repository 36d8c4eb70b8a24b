"""What the API sends back: instances, providers, health results and audit entries.

Each answer is built as its model of `responses`, so a field the model does
not declare (or a value it does not allow) fails here, not in a client.
`auth_info` and passwords are write-only: of the stored credentials only a
registry's user name is read, which its edit dialog shows as well.
"""
from __future__ import annotations

from flask import url_for

from datetime import datetime

from .. import models
from ..crypto import SecretError
from ..services import registries
from ..state import current_state
from ..providers import CheckResult
from ..providers import Provider as Driver
from . import responses
from .responses import STATUS_NAMES


def instance_json(instance: models.Instance) -> dict:
    """An instance as Harbor's API shows it, with its real stored health as status."""
    return responses.Instance(
        id=instance.id,
        name=instance.name,
        description=instance.description or "",
        vendor=instance.vendor,
        endpoint=instance.endpoint,
        auth_mode=instance.auth_mode,
        status=STATUS_NAMES.get(instance.health_status, "Unknown"),
        enabled=instance.enabled,
        default=instance.is_default,
        insecure=instance.insecure,
        setup_timestamp=unix_seconds(instance.setup_timestamp),
    ).model_dump()


def registry_json(registry: models.Registry) -> dict:
    """A registry as Harbor's API shows it; the password is never read."""
    return responses.Registry(
        id=registry.id,
        name=registry.name,
        description=registry.description or "",
        url=registry.url,
        public_url=registry.public_url,
        type=registry.type,
        credential=responses.RegistryCredentialInfo(type="basic",
                                                    access_key=registry_user(registry)),
        insecure=registry.insecure,
        status=registry.health_status if registry.health_checked_at else "unknown",
        creation_time=registry.created_at,
        update_time=registry.updated_at,
        webhook_url=url_for("preheat_api.registry_events", id=registry.id, _external=True),
        webhook_secret_hint=registry.webhook_secret_hint,
    ).model_dump(mode="json")


def registry_user(registry: models.Registry) -> str:
    """The user name a registry's stored credentials carry, or "" without credentials."""
    if registry.auth_mode != "BASIC":
        return ""
    state = current_state()
    try:
        return registries.credentials(state.secret_box, registry).username or ""
    except SecretError:
        return ""


def project_json(project: models.Project) -> dict:
    """A project as Harbor's API shows it."""
    return responses.Project(
        project_id=project.id,
        name=project.name,
        registry_id=project.registry_id,
        creation_time=project.created_at,
        update_time=project.updated_at,
        repo_count=project.repo_count,
    ).model_dump(mode="json")


def provider_json(provider: Driver) -> dict:
    """A provider driver's metadata, as Harbor lists it."""
    return responses.Provider(id=provider.id, name=provider.name, icon=provider.icon,
                              maintainers=list(provider.maintainers), version=provider.version,
                              source=provider.source).model_dump()


def stored_health_json(instance: models.Instance) -> dict:
    """The last health result stored for an instance (all null before the first check)."""
    return responses.Health(
        status=STATUS_NAMES.get(instance.health_status, "Unknown"),
        reason=instance.health_reason,
        http_status=instance.health_http_status,
        latency_ms=instance.health_latency_ms,
        checked_at=unix_seconds(instance.health_checked_at),
    ).model_dump()


def check_json(result: CheckResult) -> dict:
    """A fresh check result, in the same shape as the stored one."""
    return responses.Health(
        status=STATUS_NAMES[result.status],
        reason=result.reason,
        http_status=result.http_status,
        latency_ms=result.latency_ms,
        checked_at=unix_seconds(result.checked_at),
    ).model_dump()


def entry_json(entry: models.AuditEntry) -> dict:
    """One audit entry as JSON."""
    return responses.AuditEntry(
        id=entry.id,
        time=unix_seconds(entry.occurred_at),
        username=entry.username,
        address=entry.address,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_name=entry.object_name,
        outcome=entry.outcome,
        detail=entry.detail,
        count=entry.count,
    ).model_dump()


def unix_seconds(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None
