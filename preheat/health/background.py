"""Health checks in the background, as two jobs on the engine.

- `health.claim` (ids, requested_at) claims a batch of instances in one
  transaction, reads the ones it won in one query, and starts `health.check`
  for each.
- `health.check` (instance id, claim deadline) takes its instance as the
  claim read it (or reads it, when it runs in another process), checks it
  with its provider's driver and stores the result, unless the instance was
  edited or deactivated meanwhile or the claim was lost. It holds no
  database connection while it waits on the network; results are committed
  in groups (`engine.group_commit`).

`HealthChecks` is how the app asks for checks: at most one per instance is
queued in a process, and who waits (Check now, the API's refresh, the tests)
gets a Future per instance.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from types import SimpleNamespace

from sqlalchemy import select

from ..engine import Job
from ..engine.core import safe_error
from ..engine.group_commit import GroupCommit
from ..logs import log_event
from ..providers import CheckResult
from ..state import current_state
from ..transport import Target
from . import checks, claims
from .subjects import INSTANCES, Subject

log = logging.getLogger(__name__)
LEASE_MARGIN = 10.0


class HealthChecks:
    """Checks the rows of `subject` (instances by default) in the background on `engine`.

    One check per row at a time; the jobs are named after the subject
    (`health.claim`, `health.check` for instances).
    """

    def __init__(self, engine, http, subject: Subject = INSTANCES):
        self.engine = engine
        self.subject = subject
        self._http = http
        self._claims = subject.claims
        self._claim_job, self._check_job = f"{subject.jobs}.claim", f"{subject.jobs}.check"
        # Long enough to wait for a thread, then connect and check; a check
        # that waited long for a thread renews its claim first.
        self._check_budget = subject.requests_per_check * http.deadline
        self.longest_check = http.connect_timeout + self._check_budget
        self.lease = http.connect_timeout + self.longest_check + LEASE_MARGIN
        self._lock = threading.Lock()
        self._running: dict[int, Future] = {}
        self._closed = False
        self._results = GroupCommit(partial(_record_many, subject.claims))
        self._read_ahead: dict[tuple[int, str], _Prepared] = {}
        engine.register(Job(self._claim_job, self._claim))
        engine.register(Job(self._check_job, self._check))

    def is_running(self, instance_id: int) -> bool:
        """Whether this process has a check of the instance queued or running."""
        with self._lock:
            return instance_id in self._running

    def submit(self, instance_ids, requested_at: datetime | None = None) -> dict[int, Future]:
        """Queue checks of the instances that have none queued here; a Future for each.

        A Future's result is the check's result, or None when the instance was
        not checked here (another process has it, it has a newer result, or
        it is deactivated).
        """
        requested_at = requested_at or datetime.now(timezone.utc)
        futures, batch = {}, {}
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot check health after shutdown")
            for instance_id in instance_ids:
                future = self._running.get(instance_id)
                if future is None:
                    future = self._running[instance_id] = batch[instance_id] = Future()
                    future.add_done_callback(partial(self._forget, instance_id))
                futures[instance_id] = future
        if batch:
            try:
                claimed = self.engine.run(self._claim_job, sorted(batch),
                                          requested_at.isoformat())
            except RuntimeError as error:  # the runner's broker is unreachable
                log.warning("health checks not started: %s", error)
                for future in batch.values():
                    _settle(future, None)
                return futures
            claimed.add_done_callback(partial(_claimed, batch))
        return futures

    def check_now(self, instance_id: int, timeout: float) -> bool:
        """Check one instance and wait until a result newer than now is stored.

        The result may come from this process or from one that had already
        claimed the instance. False when none arrived within `timeout`.
        """
        requested_at = datetime.now(timezone.utc)
        until = time.monotonic() + timeout
        future = self.submit([instance_id], requested_at)[instance_id]
        wait([future], timeout)
        session = current_state().session
        while True:
            instance = session.get(self.subject.model, instance_id, populate_existing=True)
            session.commit()
            if instance is None or claims.has_result_since(instance, requested_at):
                return True
            if time.monotonic() >= until or not claims.is_claimed(instance):
                return False
            time.sleep(0.05)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until this process has no check queued or running; False on timeout."""
        until = time.monotonic() + timeout
        while True:
            with self._lock:
                futures = [f for f in self._running.values() if not f.done()]
            if not futures:  # and after a shutdown, the checks that were running
                return self.engine.wait_idle(max(0.0, until - time.monotonic()))
            if time.monotonic() >= until:
                return False
            wait(futures, max(0.0, until - time.monotonic()))

    def shutdown(self) -> None:
        """Take no more work: queued checks are cancelled, running ones finish."""
        with self._lock:
            self._closed = True
            futures = list(self._running.values())
        self.engine.shutdown()
        with self._lock:
            self._read_ahead.clear()
        for future in futures:
            future.cancel()

    def _forget(self, instance_id: int, future: Future) -> None:
        with self._lock:
            if self._running.get(instance_id) is future:
                del self._running[instance_id]

    def _claim(self, instance_ids: list[int], requested_at: str) -> dict[int, Future | None]:
        """The claim job: claim what this process may check, and start those checks."""
        state = current_state()
        session = state.session
        won, until = self._claims.claim_many(session, instance_ids,
                                             datetime.fromisoformat(requested_at), self.lease)
        claimed_until = until.isoformat()
        # The checks that run in this process take their instance from here
        # rather than each reading it again; elsewhere a check reads its own.
        with self._lock:
            model = self.subject.model
            for row in session.scalars(select(model).where(model.id.in_(won))):
                self._read_ahead[row.id, claimed_until] = _prepare(state, self.subject, row)
        session.close()
        started = {}
        for instance_id in won:
            try:
                started[instance_id] = self.engine.run(self._check_job, instance_id,
                                                       claimed_until)
            except RuntimeError:  # shut down meanwhile: the claims run out on their own
                started[instance_id] = None
        return started

    def _check(self, instance_id: int, claimed_until: str) -> CheckResult | None:
        """The check job: check one claimed instance and store the result."""
        with self._lock:
            prepared = self._read_ahead.pop((instance_id, claimed_until), None)
        try:
            return self._check_claimed(instance_id, datetime.fromisoformat(claimed_until),
                                       prepared)
        except Exception as exc:
            # Not log.exception: a database error's text carries the statement's
            # parameters, which include the encrypted credentials.
            log.error("checking the health of %s %s failed: %s", self.subject.noun,
                      instance_id, safe_error(exc))
            return None

    def _check_claimed(self, instance_id: int, until: datetime,
                       prepared: _Prepared | None) -> CheckResult | None:
        state = current_state()
        session = state.session
        if prepared is None:
            row = session.get(self.subject.model, instance_id)
            if row is None:
                return None
            prepared = _prepare(state, self.subject, row)
        if not prepared.enabled:  # deactivated since it was claimed
            self._claims.lease.release(session, instance_id, until)
            session.commit()
            return None
        until = self._hold(session, instance_id, until)
        if until is None:
            return None  # it waited so long that another process took it over
        checks.release_connection(session)
        target = prepared.target
        result = target if isinstance(target, CheckResult) else self.subject.check(
            state, prepared.kind, target)
        if not result.ok:
            log_event("health.failure", logging.WARNING, kind=self.subject.noun,
                      name=prepared.name, reason=result.reason)
        self._results.write((instance_id, result, prepared.checked, until))
        return result

    def _hold(self, session, instance_id: int, until: datetime) -> datetime | None:
        """Make sure the claim outlasts the check; None if another process took it over."""
        left = (until - datetime.now(timezone.utc)).total_seconds()
        if left >= self._check_budget + LEASE_MARGIN:
            return until
        return self._claims.renew(session, instance_id, until, self.lease)


@dataclass(frozen=True)
class _Prepared:
    """A claimed row as its check needs it: read once, secrets decrypted."""

    enabled: bool
    name: str
    kind: str  # the instance's provider, the registry's type
    checked: SimpleNamespace  # what `claims.record` compares, to drop results of edits
    target: Target | CheckResult  # a result when it cannot be checked


def _prepare(state, subject: Subject, row) -> _Prepared:
    return _Prepared(getattr(row, "enabled", True), row.name, subject.kind_of(row),
                     claims.Claims.snapshot(row), checks.prepare(state.secret_box, row))


def _record_many(subject_claims: claims.Claims, results) -> list[bool]:
    return subject_claims.record_many(current_state().session, results)


def _claimed(batch: dict[int, Future], claimed: Future) -> None:
    """Pass the claim job's outcome on to the Futures of its batch."""
    if claimed.cancelled():
        for future in batch.values():
            future.cancel()
        return
    error = claimed.exception()
    if error is not None:
        log.error("claiming instances for health checks failed: %s", safe_error(error))
    # A runner that hands calls to other processes gives no results back here.
    started = {} if error is not None else claimed.result() or {}
    for instance_id, future in batch.items():
        check = started.get(instance_id, False)
        if check is False:  # not won: nothing to do here
            _settle(future, None)
        elif check is None:
            future.cancel()
        else:
            check.add_done_callback(partial(_checked, future))


def _checked(future: Future, check: Future) -> None:
    if check.cancelled():
        future.cancel()
    else:
        _settle(future, None if check.exception() else check.result())


def _settle(future: Future, result) -> None:
    if future.set_running_or_notify_cancel():
        future.set_result(result)
