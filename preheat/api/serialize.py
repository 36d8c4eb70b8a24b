"""What the API sends back: instances, providers, health results and audit entries.

Each answer is built as its model of `responses`, so a field the model does
not declare (or a value it does not allow) fails here, not in a client.
`auth_info` is write-only: nothing here ever reads the stored credentials.
"""
from __future__ import annotations

from datetime import datetime

from .. import models
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
