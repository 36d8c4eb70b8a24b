"""What the API sends back: instances, providers and health results as JSON.

`auth_info` is write-only: nothing here ever reads the stored credentials.
"""
from __future__ import annotations

from datetime import datetime

from ..models import Instance
from ..providers import CheckResult, Provider

STATUS_NAMES = {"healthy": "Healthy", "unhealthy": "Unhealthy", "unknown": "Unknown"}


def instance_json(instance: Instance) -> dict:
    """An instance as Harbor's API shows it, with its real stored health as status."""
    return {
        "id": instance.id,
        "name": instance.name,
        "description": instance.description or "",
        "vendor": instance.vendor,
        "endpoint": instance.endpoint,
        "auth_mode": instance.auth_mode,
        "status": STATUS_NAMES.get(instance.health_status, "Unknown"),
        "enabled": instance.enabled,
        "default": instance.is_default,
        "insecure": instance.insecure,
        "setup_timestamp": unix_seconds(instance.setup_timestamp),
    }


def provider_json(provider: Provider) -> dict:
    """A provider driver's metadata, as Harbor lists it."""
    return {
        "id": provider.id,
        "name": provider.name,
        "icon": provider.icon,
        "maintainers": list(provider.maintainers),
        "version": provider.version,
        "source": provider.source,
    }


def stored_health_json(instance: Instance) -> dict:
    """The last health result stored for an instance (all null before the first check)."""
    return {
        "status": STATUS_NAMES.get(instance.health_status, "Unknown"),
        "reason": instance.health_reason,
        "http_status": instance.health_http_status,
        "latency_ms": instance.health_latency_ms,
        "checked_at": unix_seconds(instance.health_checked_at),
    }


def check_json(result: CheckResult) -> dict:
    """A fresh check result, in the same shape as the stored one."""
    return {
        "status": STATUS_NAMES[result.status],
        "reason": result.reason,
        "http_status": result.http_status,
        "latency_ms": result.latency_ms,
        "checked_at": unix_seconds(result.checked_at),
    }


def unix_seconds(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None
