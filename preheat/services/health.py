"""Health checks: running one, storing results, and the claims that decide who checks.

Several processes (gunicorn workers) may serve the app, each with its own
monitor (monitor.py). The database decides who checks an instance: a worker
first claims it with a conditional UPDATE, so one instance is checked by one
process at a time, and an instance that already has a result newer than the
request is not checked again. A claim is a lease: if its process dies, the
claim simply runs out.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, update

from ..crypto import SecretError
from ..models import Instance
from ..providers import CheckResult, HttpClient, Target, get_provider
from . import audit
from . import instances as instance_service

log = logging.getLogger(__name__)


def check(vendor: str, target: Target, http: HttpClient) -> CheckResult:
    """Run the provider's health check against `target`; never raises."""
    provider = get_provider(vendor)
    if provider is None:
        return CheckResult(False, f"Unknown provider {vendor!r}.")
    try:
        return provider.check_health(target, http)
    except Exception:  # a driver bug must not become a 500 or a dead worker
        log.exception("health check of %s failed unexpectedly", target.endpoint)
        return CheckResult(False, "The check failed unexpectedly; see the server log.")


def test_connection(session, vendor: str, target: Target, http: HttpClient, *,
                    name: str | None, instance_id: int | None = None) -> CheckResult:
    """Check a (possibly unsaved) instance for a user, and record that they did."""
    result = check(vendor, target, http)
    audit.record(session, "test_connection", name=name, object_id=instance_id,
                 outcome="success" if result.ok else "failure",
                 detail=f"{target.endpoint}: {result.reason}")
    session.commit()
    return result


def check_instance(box, instance: Instance, http: HttpClient) -> CheckResult:
    """Check a stored instance with its stored credentials."""
    try:
        target = instance_service.target(box, instance)
    except SecretError as exc:
        return CheckResult(False, f"Cannot check: {exc}.")
    return check(instance.vendor, target, http)


def record(session, instance_id: int, result: CheckResult, checked=None) -> bool:
    """Store `result` as the instance's latest health and end its claim.

    With `checked` (the instance as it was when the check began), the result is
    dropped if the endpoint or credentials changed meanwhile.
    """
    query = update(Instance).where(Instance.id == instance_id)
    if checked is not None:
        query = query.where(Instance.endpoint == checked.endpoint,
                            Instance.auth_mode == checked.auth_mode,
                            Instance.auth_secret.is_not_distinct_from(checked.auth_secret),
                            Instance.insecure == checked.insecure)
    stored = session.execute(query.values(
        health_status=result.status, health_reason=result.reason,
        health_http_status=result.http_status, health_latency_ms=result.latency_ms,
        health_checked_at=result.checked_at, health_claimed_until=None,
    )).rowcount == 1
    if not stored:
        release(session, instance_id)
    session.commit()
    return stored


def claim(session, instance_id: int, requested_at: datetime, lease: float) -> bool:
    """Take the right to check an instance: enabled, unclaimed, no result since the request."""
    now = datetime.now(timezone.utc)
    claimed = session.execute(
        update(Instance).where(
            Instance.id == instance_id, Instance.enabled.is_(True),
            or_(Instance.health_claimed_until.is_(None), Instance.health_claimed_until < now),
            or_(Instance.health_checked_at.is_(None), Instance.health_checked_at < requested_at),
        ).values(health_claimed_until=now + timedelta(seconds=lease))
    ).rowcount == 1
    session.commit()
    return claimed


def release(session, instance_id: int) -> None:
    """End a claim without a result."""
    session.execute(update(Instance).where(Instance.id == instance_id)
                    .values(health_claimed_until=None))


def is_stale(instance: Instance, ttl: float, now: datetime | None = None) -> bool:
    """Whether an enabled instance's stored health is missing or older than `ttl`."""
    if not instance.enabled:
        return False
    if instance.health_checked_at is None:
        return True
    now = now or datetime.now(timezone.utc)
    return now - instance.health_checked_at > timedelta(seconds=ttl)


def is_claimed(instance: Instance, now: datetime | None = None) -> bool:
    """Whether some process (this one or another) is checking the instance now."""
    until = instance.health_claimed_until
    return until is not None and until > (now or datetime.now(timezone.utc))


def has_result_since(instance: Instance, since: datetime) -> bool:
    """Whether the stored result was produced at or after `since`."""
    return instance.health_checked_at is not None and instance.health_checked_at >= since
