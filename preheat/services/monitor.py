"""The health monitor: checks instances in the background on a bounded pool, each once."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from types import SimpleNamespace

from ..crypto import SecretError
from ..models import Instance
from ..providers import CheckResult, HttpClient
from . import instances as instance_service
from .health import check, claim, record

log = logging.getLogger(__name__)
# A check makes at most this many requests, each within the client's deadline.
REQUESTS_PER_CHECK = 2
LEASE_MARGIN = 10.0


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
