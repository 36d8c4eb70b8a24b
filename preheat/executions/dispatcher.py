"""Each process's dispatcher: claims due work from the database and hands it to the engine.

A round turns registries' pending push events whose batch is due into
executions, plans Pending executions, submits due Pending tasks (paced per
provider instance), polls Running tasks whose next poll is due, and ends
executions whose tasks have all ended. It runs every PREHEAT_DISPATCH_SECONDS
while there is work, rests longer when there is none, and is woken at once
when an execution starts. Claims make several processes' rounds safe.
"""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import exists, select

from ..engine import Job
from ..engine.core import safe_error
from ..events import batches
from ..models import Execution, Policy, Task
from ..state import current_state
from . import planning, runs, work
from .settings import Settings

log = logging.getLogger(__name__)
PLAN, SUBMIT, POLL = "execution.plan", "task.submit", "task.poll"
POLLS_PER_ROUND = 100
PLANS_PER_ROUND = 8
# Idle rounds come this many dispatch intervals apart.
IDLE_FACTOR = 5


class Pacer:
    """A token bucket per provider instance: at most `rate` submissions a second each.

    A provider's 429 halves that instance's rate (down to one a second); each
    accepted submission wins a little of it back, up to `rate`.
    """

    def __init__(self, rate: float, clock=time.monotonic):
        self.rate = max(float(rate), 1.0)
        self.clock = clock
        self._buckets: dict[int, list[float]] = {}  # [tokens, refilled at, current rate]
        self._lock = threading.Lock()

    def take(self, instance_id: int, wanted: int) -> int:
        """How many of `wanted` submissions may start now (and are counted as started)."""
        now = self.clock()
        with self._lock:
            bucket = self._bucket(instance_id, now)
            tokens, then, rate = bucket
            tokens = min(rate, tokens + (now - then) * rate)
            granted = min(wanted, int(tokens))
            bucket[:2] = [tokens - granted, now]
        return granted

    def slow_down(self, instance_id: int) -> None:
        """The provider turned a submission away as too many: halve its rate."""
        with self._lock:
            bucket = self._bucket(instance_id, self.clock())
            bucket[2] = max(1.0, bucket[2] / 2)
            bucket[0] = min(bucket[0], 0.0)

    def accepted(self, instance_id: int) -> None:
        """A submission went through: win back a tenth of a submission a second."""
        with self._lock:
            bucket = self._bucket(instance_id, self.clock())
            bucket[2] = min(self.rate, bucket[2] + 0.1)

    def _bucket(self, instance_id: int, now: float) -> list[float]:
        return self._buckets.setdefault(instance_id, [self.rate, now, self.rate])


class Dispatcher:
    """Hands due executions and tasks of the database to the engine, round after round."""

    def __init__(self, engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.pacer = Pacer(settings.submit_rate)
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        engine.register(Job(PLAN, planning.plan))
        engine.register(Job(SUBMIT, work.submit))
        engine.register(Job(POLL, work.poll))

    def start(self) -> None:
        """Start this process's dispatching loop (once; later calls do nothing)."""
        if self._thread is not None or self._stopped.is_set():
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True,
                                                name="preheat-dispatcher")
                self._thread.start()

    def wake(self) -> None:
        """Run a round now: an execution was started or stopped."""
        self.start()
        self._wake.set()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop dispatching; wait for the round under way to end."""
        self._stopped.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def round(self) -> int:
        """Claim what is due and start its jobs; how many jobs were started."""
        session = current_state().session
        try:
            started = self._events(session) + self._plan(session) + self._submit(session) \
                + self._poll(session)
            self._finish(session)
            return started
        finally:
            session.close()

    def _events(self, session) -> int:
        """Start the executions of due push batches; pending events count as work found."""
        due, waiting = batches.due_registries(session, self.settings.event_batch_seconds)
        for registry_id in due:
            batches.process(session, registry_id)
        return int(waiting)

    def _plan(self, session) -> int:
        pending = list(session.scalars(select(Execution.id).where(
            Execution.status == "Pending", planning.LEASE.free(work.utcnow()))
            .order_by(Execution.id).limit(PLANS_PER_ROUND)))
        won, until = planning.claim(session, pending) if pending else ([], None)
        return self._run(PLAN, won, until)

    def _submit(self, session) -> int:
        now = work.utcnow()
        instances = list(session.scalars(
            select(Policy.instance_id).distinct()
            .join(Execution, Execution.policy_id == Policy.id)
            .join(Task, Task.execution_id == Execution.id)
            .where(Task.status == "Pending", Execution.status == "Running",
                   (Task.due_at.is_(None)) | (Task.due_at <= now), work.LEASE.free(now))))
        session.commit()
        started = 0
        for instance_id in instances:
            allowed = self.pacer.take(instance_id, max(1, int(self.settings.submit_rate)))
            if allowed:
                won, until = work.claim(session, "Pending", allowed, instance_id)
                started += self._run(SUBMIT, won, until)
        return started

    def _poll(self, session) -> int:
        won, until = work.claim(session, "Running", POLLS_PER_ROUND)
        return self._run(POLL, won, until)

    @staticmethod
    def _finish(session) -> None:
        """End Running executions left with no waiting task (a process died in between)."""
        waiting = exists().where(Task.execution_id == Execution.id,
                                 Task.status.in_(runs.WAITING))
        done = list(session.scalars(select(Execution.id).where(
            Execution.status == "Running", ~waiting).limit(PLANS_PER_ROUND)))
        session.commit()
        for execution_id in done:
            runs.finish_if_done(session, execution_id)

    def _run(self, job: str, ids, until) -> int:
        for row_id in ids:
            try:
                self.engine.run(job, row_id, until.isoformat())
            except RuntimeError:  # shut down: the claims run out on their own
                return 0
        return len(ids)

    def _loop(self) -> None:
        rest = self.settings.dispatch_seconds
        while not self._stopped.is_set():
            self._wake.clear()
            try:
                with self.engine.app.app_context():
                    found = self.round()
            except Exception as exc:  # the loop must outlive a database outage
                log.error("dispatching executions failed: %s", safe_error(exc))
                found = 0
            self._wake.wait(rest if found else rest * IDLE_FACTOR)
