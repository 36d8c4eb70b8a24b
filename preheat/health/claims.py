"""Who checks an instance, and storing what a check found.

Several processes (gunicorn workers, later Celery workers) may check health.
The database decides who checks an instance: a process first claims it
(`LEASE`, the engine's lease on `health_claimed_until`), so one instance is
checked by one process at a time, and an instance that already has a result
newer than the request, or is deactivated, is not checked at all.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import or_, update

from ..engine import Lease
from ..models import Instance
from ..providers import CheckResult

LEASE = Lease(Instance.health_claimed_until)


def claim_many(session, instance_ids, requested_at: datetime, lease: float):
    """Claim the instances this process may check; return the ids won and until when.

    An instance is won if it is enabled, unclaimed (or its claim ran out) and
    has no result since `requested_at`; all in one transaction.
    """
    return LEASE.claim(session, instance_ids, lease, Instance.enabled.is_(True),
                       or_(Instance.health_checked_at.is_(None),
                           Instance.health_checked_at < requested_at))


def renew(session, instance_id: int, claimed_until: datetime, lease: float):
    """Extend this process's claim for `lease` seconds; None if the claim is not ours any more."""
    return LEASE.renew(session, instance_id, claimed_until, lease)


def snapshot(instance: Instance) -> SimpleNamespace:
    """What `record` compares to tell whether an instance was edited during its check."""
    return SimpleNamespace(endpoint=instance.endpoint, auth_mode=instance.auth_mode,
                           auth_secret=instance.auth_secret, insecure=instance.insecure)


def record(session, instance_id: int, result: CheckResult, checked=None,
           claimed_until: datetime | None = None) -> bool:
    """Store `result` as the instance's latest health and end its claim.

    With `checked` (a snapshot of the instance when the check began), the result
    is dropped if the endpoint or credentials changed meanwhile, or the
    instance was deactivated; with
    `claimed_until`, if this process's claim ran out and another took it.
    """
    return record_many(session, [(instance_id, result, checked, claimed_until)])[0]


def record_many(session, results) -> list[bool]:
    """`record` for each (instance_id, result, checked, claimed_until), in one transaction."""
    try:
        stored = [_store(session, *item) for item in results]
        session.commit()
    except Exception:
        session.rollback()
        raise
    return stored


def _store(session, instance_id, result, checked, claimed_until) -> bool:
    query = update(Instance).where(Instance.id == instance_id)
    if checked is not None:
        query = query.where(Instance.enabled.is_(True), Instance.endpoint == checked.endpoint,
                            Instance.auth_mode == checked.auth_mode,
                            Instance.auth_secret.is_not_distinct_from(checked.auth_secret),
                            Instance.insecure == checked.insecure)
    if claimed_until is not None:
        query = query.where(Instance.health_claimed_until == claimed_until)
    stored = session.execute(query.values(
        health_status=result.status, health_reason=result.reason,
        health_http_status=result.http_status, health_latency_ms=result.latency_ms,
        health_checked_at=result.checked_at, health_claimed_until=None,
    )).rowcount == 1
    if not stored:
        LEASE.release(session, instance_id, claimed_until)
    return stored


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
    return LEASE.held(instance.health_claimed_until, now)


def has_result_since(instance: Instance, since: datetime) -> bool:
    """Whether the stored result was produced at or after `since`."""
    return instance.health_checked_at is not None and instance.health_checked_at >= since
