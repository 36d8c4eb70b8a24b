"""How stored values read on a page: labels, times, the status badge."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple

from ..providers import AUTH_MODE_LABELS, get_provider
from ..services.credentials import origin


class HealthView(NamedTuple):
    """How a badge reads: label, colour tone, the reason and the small print."""

    label: str
    tone: str
    reason: str
    facts: str

    @property
    def summary(self) -> str:
        return f"{self.label}: {self.reason}" + (f" ({self.facts})" if self.facts else "")


def provider_name(vendor: str) -> str:
    provider = get_provider(vendor)
    return provider.name if provider else vendor


TRIGGER_LABELS = {"manual": "Manual", "scheduled": "Scheduled", "event_based": "Event based"}


def trigger_label(trigger: str) -> str:
    return TRIGGER_LABELS.get(trigger, trigger)


def trigger_text(trigger: str, detail: str | None) -> str:
    """How an execution was triggered: "Scheduled, late by 3 h 2 min" when it was late."""
    try:
        known = json.loads(detail) if detail else {}
    except ValueError:
        known = {}
    late = known.get("late") if isinstance(known, dict) else None
    return trigger_label(trigger) + (f", {late}" if isinstance(late, str) else "")


def auth_label(mode: str) -> str:
    return AUTH_MODE_LABELS.get(mode, mode)


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def format_seconds(value: datetime | None) -> str:
    """A time to the second, for the audit log where order within a minute matters."""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def iso_utc(value: datetime | None) -> str:
    """The full timestamp in ISO 8601, UTC, to the second: '2026-12-01T10:16:59Z'."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def ago(then: datetime, now: datetime) -> str:
    """'checked 5 s ago' style wording for how long ago `then` was."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{seconds // 60} min ago"
    if seconds < 36 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


@dataclass(frozen=True)
class ProviderHints:
    name: str
    supported: str
    notes: tuple[str, ...]


def health(instance, now: datetime, pending: bool = False) -> HealthView:
    """The badge for an instance's (or a registry's) stored health."""
    return checked_health(instance, checked_ago(instance, now), pending)


def checked_ago(instance, now: datetime) -> str | None:
    """How long ago the stored health was checked ('5 s ago'), None if never."""
    checked_at = instance.health_checked_at
    return None if checked_at is None else ago(checked_at, now)


def checked_health(instance, checked: str | None, pending: bool = False) -> HealthView:
    """The badge for stored health checked `checked` ('5 s ago', see checked_ago)."""
    if not getattr(instance, "enabled", True):
        return HealthView("Deactivated", "off", "Deactivated instances are not checked.", "")
    if instance.health_checked_at is None:
        reason = "Being checked now." if pending else "Not checked yet."
        return HealthView("Unknown", "unknown", reason, "")
    facts = []
    if instance.health_http_status:
        facts.append(f"HTTP {instance.health_http_status}")
    if instance.health_latency_ms is not None:
        facts.append(f"{instance.health_latency_ms} ms")
    facts.append("checked " + checked)
    label, tone = {"healthy": ("Healthy", "ok"), "unhealthy": ("Unhealthy", "bad")}.get(
        instance.health_status, ("Unknown", "unknown"))
    return HealthView(label, tone, instance.health_reason or "", ", ".join(facts))


def provider_hints(vendor: str, mode: str, endpoint: str) -> ProviderHints | None:
    """What the dialog tells the user about a provider, an auth mode and an endpoint."""
    provider = get_provider(vendor)
    if provider is None:
        return None
    notes = (provider.auth_note(mode or "NONE"), provider.endpoint_note(endpoint or ""))
    supported = " or ".join(auth_label(m) for m in provider.auth_modes)
    return ProviderHints(provider.name, supported, tuple(n for n in notes if n))


def template_helpers() -> dict:
    return {
        "preheat_provider_name": provider_name,
        "preheat_auth_label": auth_label,
        "preheat_health": health,
        "preheat_provider_hints": provider_hints,
        "preheat_origin": origin,
    }
