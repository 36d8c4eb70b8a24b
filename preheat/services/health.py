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
import traceback
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import or_, select, update

from ..crypto import SecretError
from ..models import Instance
from ..providers import CheckResult, get_provider
from ..transport import HttpClient, Target, secrets_of
from ..transport.untrusted import echoes
from . import audit
from . import instances as instance_service

log = logging.getLogger(__name__)


def check(vendor: str, target: Target, http: HttpClient) -> CheckResult:
    """Run the provider's health check against `target`; never raises."""
    provider = get_provider(vendor)
    if provider is None:
        return CheckResult(False, f"Unknown provider {vendor!r}.")
    try:
        result = provider.check_health(target, http)
    except Exception as exc:  # a driver bug must not become a 500 or a dead worker
        # Where it failed, but not the exception's text: it may quote the answer.
        log.error("health check of %s failed unexpectedly: %s\n%s", target.endpoint,
                  type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
        return CheckResult(False, "The check failed unexpectedly; see the server log.")
    # The drivers never repeat an answer that echoes the credentials; this is the
    # last line of defence before a reason is shown, stored and audited.
    if echoes(result.reason, secrets_of(target.credentials), pieces=False):
        return replace(result, ok=False, reason="The provider's answer repeated the"
                                                " credentials it was sent, so it is not shown.")
    return result


def test_connection(session, vendor: str, target: Target, http: HttpClient, *,
                    name: str | None, instance_id: int | None = None) -> CheckResult:
    """Check a (possibly unsaved) instance for a user, and record that they did."""
    release_connection(session)
    result = check(vendor, target, http)
    audit_test(session, result, endpoint=target.endpoint, name=name, instance_id=instance_id)
    session.commit()
    return result


def audit_test(session, result: CheckResult, *, endpoint: str, name: str | None,
               instance_id: int | None) -> None:
    """Record in the audit log that a user tested a connection, and what it answered."""
    audit.record(session, "test_connection", name=name, object_id=instance_id,
                 outcome="success" if result.ok else "failure",
                 detail=f"{endpoint}: {result.reason}")


def check_instance(box, instance: Instance, http: HttpClient, session=None) -> CheckResult:
    """Check a stored instance with its stored credentials.

    With `session`, its database connection is given back before the check
    waits on the network (the instance's attributes expire and reload after).
    """
    vendor, target = instance.vendor, prepare(box, instance)
    if isinstance(target, CheckResult):
        return target
    if session is not None:
        release_connection(session)
    return check(vendor, target, http)


def release_connection(session) -> None:
    """End the session's transaction, so no pooled connection waits on the network with us.

    A request that held one through a check of a dead provider kept it for the
    whole timeout: a burst of them emptied the pool and stalled every page.
    """
    session.commit()


def prepare(box, instance: Instance) -> Target | CheckResult:
    """The target to check a stored instance at, or the result if its secrets cannot be read."""
    try:
        return instance_service.target(box, instance)
    except SecretError as exc:
        return CheckResult(False, f"Cannot check: {exc}.")


def snapshot(instance: Instance) -> SimpleNamespace:
    """What `record` compares to tell whether an instance was edited during its check."""
    return SimpleNamespace(endpoint=instance.endpoint, auth_mode=instance.auth_mode,
                           auth_secret=instance.auth_secret, insecure=instance.insecure)


def record(session, instance_id: int, result: CheckResult, checked=None,
           claimed_until: datetime | None = None) -> bool:
    """Store `result` as the instance's latest health and end its claim.

    With `checked` (a snapshot of the instance when the check began), the result
    is dropped if the endpoint or credentials changed meanwhile; with
    `claimed_until`, if this process's claim ran out and another took it.
    """
    stored = _store(session, instance_id, result, checked, claimed_until)
    session.commit()
    return stored


def record_many(session, results) -> list[bool]:
    """`record` for each (instance_id, result, checked, claimed_until), in one transaction."""
    stored = [_store(session, *item) for item in results]
    session.commit()
    return stored


def _store(session, instance_id, result, checked, claimed_until) -> bool:
    query = update(Instance).where(Instance.id == instance_id)
    if checked is not None:
        query = query.where(Instance.endpoint == checked.endpoint,
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
        release(session, instance_id, claimed_until)
    return stored


def claim_many(session, instance_ids, requested_at: datetime, lease: float):
    """Claim the instances this process may check; return the ids won and until when.

    An instance is won if it is enabled, unclaimed (or its claim ran out) and
    has no result since `requested_at`; all in one transaction.
    """
    now = datetime.now(timezone.utc)
    until = now + timedelta(seconds=lease)
    claimable = (Instance.enabled.is_(True),
                 or_(Instance.health_claimed_until.is_(None), Instance.health_claimed_until < now),
                 or_(Instance.health_checked_at.is_(None), Instance.health_checked_at < requested_at))
    ids = sorted(set(instance_ids))
    if session.get_bind().dialect.update_returning:
        # Rows are locked in id order (FOR UPDATE where the database has row
        # locks), so processes claiming overlapping batches cannot deadlock.
        ordered = (select(Instance.id).where(Instance.id.in_(ids), *claimable)
                   .order_by(Instance.id).with_for_update())
        won = list(session.scalars(
            update(Instance).where(Instance.id.in_(ordered.scalar_subquery()), *claimable)
            .values(health_claimed_until=until).returning(Instance.id)
            .execution_options(synchronize_session=False)))
    else:
        won = [instance_id for instance_id in ids if session.execute(
            update(Instance).where(Instance.id == instance_id, *claimable)
            .values(health_claimed_until=until)).rowcount == 1]
    session.commit()
    return sorted(won), until


def renew(session, instance_id: int, claimed_until: datetime, lease: float):
    """Extend this process's claim for `lease` seconds; None if the claim is not ours any more."""
    until = datetime.now(timezone.utc) + timedelta(seconds=lease)
    renewed = session.execute(
        update(Instance).where(Instance.id == instance_id,
                               Instance.health_claimed_until == claimed_until)
        .values(health_claimed_until=until)).rowcount == 1
    session.commit()
    return until if renewed else None


def release(session, instance_id: int, claimed_until: datetime | None = None) -> None:
    """End a claim without a result (with `claimed_until`, only if it is still ours)."""
    query = update(Instance).where(Instance.id == instance_id)
    if claimed_until is not None:
        query = query.where(Instance.health_claimed_until == claimed_until)
    session.execute(query.values(health_claimed_until=None))


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
