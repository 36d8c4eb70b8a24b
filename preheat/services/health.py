"""Health checks: running them, storing their results, refreshing in the background.

Several processes (gunicorn workers) may serve the app, each with its own
bounded pool. The database decides who checks an instance: a worker first
claims it with a conditional UPDATE, so one instance is checked by one
process at a time, and an instance that already has a result newer than the
request is not checked again. A claim is a lease: if its process dies, the
claim simply runs out.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import or_, update

from ..crypto import SecretError
from ..models import Instance
from ..providers import CheckResult, HttpClient, Target, get_provider
from . import audit
from . import instances as instance_service

log = logging.getLogger(__name__)
# A check makes at most this many requests, each within the client's deadline.
REQUESTS_PER_CHECK = 2
LEASE_MARGIN = 10.0


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


def _safe_error(exc: Exception) -> str:
    """The kind of an error and, for database errors, the driver's own message only."""
    orig = getattr(exc, "orig", None)
    return f"{type(exc).__name__}: {orig}" if orig is not None else type(exc).__name__


class HealthMonitor:
    """Runs checks on a bounded pool and stores the results; one check per instance at a time."""

    def __init__(self, app, concurrency: int, http: HttpClient):
        self._app = app
        self._http = http
        self.lease = REQUESTS_PER_CHECK * http.deadline + LEASE_MARGIN
        self._pool = ThreadPoolExecutor(max_workers=concurrency,
                                        thread_name_prefix="preheat-health")
        self._lock = threading.Lock()
        self._running: dict[int, Future] = {}

    def is_running(self, instance_id: int) -> bool:
        """Whether this process has a check of the instance queued or running."""
        with self._lock:
            return instance_id in self._running

    def submit(self, instance_ids, requested_at: datetime | None = None) -> dict[int, Future]:
        """Queue checks for the given instances unless this process already has one queued."""
        requested_at = requested_at or datetime.now(timezone.utc)
        futures = {}
        with self._lock:
            for instance_id in instance_ids:
                future = self._running.get(instance_id)
                if future is None:
                    future = self._pool.submit(self._run, instance_id, requested_at)
                    self._running[instance_id] = future
                futures[instance_id] = future
        return futures

    def wait_idle(self, timeout: float) -> bool:
        """Wait until this process has no check queued or running; False on timeout."""
        until = time.monotonic() + timeout
        while True:
            with self._lock:
                futures = [f for f in self._running.values() if not f.done()]
            if not futures:
                return True
            if time.monotonic() >= until:
                return False
            wait(futures, max(0.0, until - time.monotonic()))

    def _run(self, instance_id: int, requested_at: datetime) -> CheckResult | None:
        try:
            with self._app.app_context():
                return self._check_and_record(instance_id, requested_at)
        except Exception as exc:
            # Not log.exception: a database error's text carries the statement's
            # parameters, which include the encrypted credentials.
            log.error("checking the health of instance %s failed: %s", instance_id,
                      _safe_error(exc))
            return None
        finally:
            with self._lock:
                self._running.pop(instance_id, None)

    def _check_and_record(self, instance_id: int, requested_at: datetime):
        state = self._app.extensions["preheat"]
        session = state.db.session
        if not claim(session, instance_id, requested_at, self.lease):
            return None
        instance = session.get(Instance, instance_id)
        if instance is None:
            return None
        try:
            target = instance_service.target(state.secret_box, instance)
        except SecretError as exc:
            target = CheckResult(False, f"Cannot check: {exc}.")
        checked = SimpleNamespace(endpoint=instance.endpoint, auth_mode=instance.auth_mode,
                                  auth_secret=instance.auth_secret, insecure=instance.insecure)
        vendor = instance.vendor
        # Give the database connection back while the network call runs.
        session.close()
        result = target if isinstance(target, CheckResult) else check(vendor, target, self._http)
        record(session, instance_id, result, checked)
        return result

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
