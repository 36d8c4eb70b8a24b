"""The health monitor: checks instances in the background, bounded, each once.

One dispatcher thread does the database work: it claims a batch of instances
(so several processes never check one instance twice), reads them, and stores
results in batches. The connect sweep then connects to every claimed endpoint
at once. One whose connect finishes goes to the pool of
PREHEAT_HEALTH_CONCURRENCY threads for its full check by the provider's
driver; one whose connect gets no answer within the connect timeout gets the
driver's sentence for that at once. Unreachable providers thus never hold a
pool thread: forty cost one connect timeout, not one per pool-full.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from types import SimpleNamespace

from sqlalchemy import select

from ..models import Instance
from ..providers import CheckResult
from ..providers.sweep import ConnectSweep, address_of
from ..transport import HttpClient, Target
from . import health
from .serial import SerialWorker

log = logging.getLogger(__name__)
# A check makes at most this many requests, each within the client's deadline.
REQUESTS_PER_CHECK = 2
LEASE_MARGIN = 10.0


@dataclass(eq=False)
class _Claim:
    """One instance on its way through the monitor."""

    instance_id: int
    future: Future
    requested_at: datetime
    until: datetime | None = None  # the end of this process's claim
    checked: SimpleNamespace | None = None  # the instance as claimed, to detect edits
    vendor: str = ""
    target: Target | CheckResult | None = None  # a result when it cannot be checked


class HealthMonitor:
    """Runs checks in the background and stores the results; one check per instance at a time."""

    def __init__(self, app, concurrency: int, http: HttpClient):
        self._app = app
        self._http = http
        # Long enough for the DNS lookup and connect in the sweep, then the
        # check; a check that waited long for a pool thread renews it first.
        self.lease = 2 * http.connect_timeout + REQUESTS_PER_CHECK * http.deadline + LEASE_MARGIN
        self._pool = ThreadPoolExecutor(max_workers=concurrency,
                                        thread_name_prefix="preheat-health")
        self._sweep = ConnectSweep(http.connect_timeout, http.denylist, http.resolver)
        self._db = SerialWorker("preheat-health-db")  # the dispatcher
        self._lock = threading.Lock()
        self._running: dict[int, Future] = {}
        self._results: list[tuple[_Claim, CheckResult]] = []
        self._closed = False

    def is_running(self, instance_id: int) -> bool:
        """Whether this process has a check of the instance queued or running."""
        with self._lock:
            return instance_id in self._running

    def submit(self, instance_ids, requested_at: datetime | None = None) -> dict[int, Future]:
        """Queue checks for the given instances unless this process already has one queued."""
        requested_at = requested_at or datetime.now(timezone.utc)
        futures, batch = {}, []
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot check health after shutdown")
            for instance_id in instance_ids:
                future = self._running.get(instance_id)
                if future is None:
                    future = self._running[instance_id] = Future()
                    future.add_done_callback(partial(self._forget, instance_id))
                    batch.append(_Claim(instance_id, future, requested_at))
                futures[instance_id] = future
        if batch:
            self._db.post(partial(self._admit, batch))
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

    def shutdown(self) -> None:
        """Take no more work: queued checks are cancelled, running ones finish."""
        with self._lock:
            self._closed = True
            futures = list(self._running.values())
        self._sweep.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for future in futures:
            future.cancel()
        self._db.close()  # results of checks still running are stored first

    def _forget(self, instance_id: int, future: Future) -> None:
        with self._lock:
            if self._running.get(instance_id) is future:
                del self._running[instance_id]

    def _admit(self, batch: list[_Claim]) -> None:
        """Claim and read a batch, then send each claimed instance on its way."""
        if self._closed:
            return  # its checks were cancelled
        try:
            with self._app.app_context():
                self._claim(batch)
        except Exception as exc:
            for claim in batch:
                _log_failure(claim, exc)
                claim.checked = None
        for claim in batch:
            if claim.checked is None:  # another process checks it, or it needs no check
                self._settle(claim, None)
            elif isinstance(claim.target, CheckResult):
                self._settle(claim, claim.target, store=True)
            elif (address := address_of(claim.target.endpoint)) is None:
                self._to_pool(claim)  # nothing to connect to: its driver says why
            else:
                self._sweep.add(claim, *address, self._swept)

    def _claim(self, batch: list[_Claim]) -> None:
        state = self._app.extensions["preheat"]
        session = state.db.session
        won, until = health.claim_many(session, [claim.instance_id for claim in batch],
                                       batch[0].requested_at, self.lease)
        claims = {claim.instance_id: claim for claim in batch}
        for instance in session.scalars(select(Instance).where(Instance.id.in_(won))):
            claim = claims[instance.id]
            claim.until, claim.checked = until, health.snapshot(instance)
            claim.vendor, claim.target = instance.vendor, health.prepare(state.secret_box,
                                                                         instance)
        session.close()

    def _swept(self, claim: _Claim, result: CheckResult | None) -> None:
        """Take the sweep's outcome: a full check, or the connect timeout's result."""
        if result is None:
            self._to_pool(claim)
        else:
            self._settle(claim, result, store=True)

    def _to_pool(self, claim: _Claim) -> None:
        try:
            self._pool.submit(self._check, claim)
        except RuntimeError:  # shut down meanwhile
            claim.future.cancel()

    def _check(self, claim: _Claim) -> None:
        """Check a claimed instance with its provider's driver (on a pool thread)."""
        if not claim.future.set_running_or_notify_cancel():
            return
        try:
            held = self._hold(claim)
        except Exception as exc:
            _log_failure(claim, exc)
            held = False
        if held:
            self._store(claim, health.check(claim.vendor, claim.target, self._http))
        else:
            claim.future.set_result(None)

    def _hold(self, claim: _Claim) -> bool:
        """Make sure the claim outlasts the check; False if another process took it over."""
        left = (claim.until - datetime.now(timezone.utc)).total_seconds()
        if left >= REQUESTS_PER_CHECK * self._http.deadline + LEASE_MARGIN:
            return True  # taken up soon after the sweep, as usual
        with self._app.app_context():
            claim.until = health.renew(self._app.extensions["preheat"].db.session,
                                       claim.instance_id, claim.until, self.lease)
        return claim.until is not None

    def _settle(self, claim: _Claim, result: CheckResult | None, store: bool = False) -> None:
        """End a claim's way: with its result, stored first when `store` says so."""
        if not claim.future.set_running_or_notify_cancel():
            return
        if store:
            self._store(claim, result)
        else:
            claim.future.set_result(result)

    def _store(self, claim: _Claim, result: CheckResult) -> None:
        with self._lock:
            self._results.append((claim, result))
            first = len(self._results) == 1
        if first:  # results that arrive meanwhile join this batch
            self._db.post(self._record)

    def _record(self) -> None:
        """Store the finished results, each unless its instance was edited or its claim lost."""
        with self._lock:
            batch, self._results = self._results, []
        try:
            with self._app.app_context():
                health.record_many(self._app.extensions["preheat"].db.session,
                                   [(claim.instance_id, result, claim.checked, claim.until)
                                    for claim, result in batch])
        except Exception as exc:
            for claim, _ in batch:
                _log_failure(claim, exc)
            batch = [(claim, None) for claim, _ in batch]
        for claim, result in batch:
            claim.future.set_result(result)


def _log_failure(claim: _Claim, exc: Exception) -> None:
    # Not log.exception: a database error's text carries the statement's
    # parameters, which include the encrypted credentials.
    log.error("checking the health of instance %s failed: %s", claim.instance_id,
              _safe_error(exc))


def _safe_error(exc: Exception) -> str:
    """The kind of an error and, for database errors, the driver's own message only."""
    orig = getattr(exc, "orig", None)
    return f"{type(exc).__name__}: {orig}" if orig is not None else type(exc).__name__
