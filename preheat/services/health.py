"""Health checks: running them, storing their results, refreshing in the background."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

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


def record(session, instance_id: int, result: CheckResult) -> None:
    """Store `result` as the instance's latest health."""
    session.execute(
        update(Instance).where(Instance.id == instance_id).values(
            health_status=result.status,
            health_reason=result.reason,
            health_http_status=result.http_status,
            health_latency_ms=result.latency_ms,
            health_checked_at=result.checked_at,
        )
    )
    session.commit()


def is_stale(instance: Instance, ttl: float, now: datetime | None = None) -> bool:
    """Whether an enabled instance's stored health is missing or older than `ttl`."""
    if not instance.enabled:
        return False
    if instance.health_checked_at is None:
        return True
    now = now or datetime.now(timezone.utc)
    return now - instance.health_checked_at > timedelta(seconds=ttl)


class HealthMonitor:
    """Runs checks on a bounded pool and stores the results; one check per instance at a time."""

    def __init__(self, app, concurrency: int, http: HttpClient):
        self._app = app
        self._http = http
        self._pool = ThreadPoolExecutor(max_workers=concurrency,
                                        thread_name_prefix="preheat-health")
        self._lock = threading.Lock()
        self._running: dict[int, Future] = {}

    def is_running(self, instance_id: int) -> bool:
        with self._lock:
            return instance_id in self._running

    def submit(self, instance_ids) -> dict[int, Future]:
        """Start checks for the given instances unless one is already running."""
        futures = {}
        with self._lock:
            for instance_id in instance_ids:
                future = self._running.get(instance_id)
                if future is None:
                    future = self._pool.submit(self._run, instance_id)
                    self._running[instance_id] = future
                futures[instance_id] = future
        return futures

    def _run(self, instance_id: int) -> CheckResult | None:
        try:
            with self._app.app_context():
                state = self._app.extensions["preheat"]
                session = state.db.session
                instance = session.get(Instance, instance_id)
                if instance is None or not instance.enabled:
                    return None
                result = check_instance(state.secret_box, instance, self._http)
                record(session, instance_id, result)
                return result
        except Exception:
            log.exception("storing the health of instance %s failed", instance_id)
            return None
        finally:
            with self._lock:
                self._running.pop(instance_id, None)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
