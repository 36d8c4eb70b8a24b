"""Each process's dispatcher: claims due work from the database and hands it to the engine.

A round turns registries' pending push events whose batch is due into
executions, plans Pending executions, submits due Pending tasks (paced per
provider instance across all processes: `pacing`), polls Running tasks whose
next poll is due, and ends executions whose tasks have all ended. It runs
every PREHEAT_DISPATCH_SECONDS while there is work, rests longer when there is none, and is woken at once
when an execution starts. Claims make several processes' rounds safe. A
round claims no more tasks while many calls wait for the runner's threads or
workers (MAX_QUEUED): jobs queued longer than their claims would find them
run out and taken again, and the work would go round without progressing.
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
from .pacing import Pacer
from .settings import Settings

log = logging.getLogger(__name__)
PLAN, SUBMIT, POLL = "execution.plan", "task.submit", "task.poll"
POLLS_PER_ROUND = 100
PLANS_PER_ROUND = 8
# Calls waiting for the runner beyond which a round claims no more tasks: a
# longer queue would outlast the claims, and its jobs would find them taken.
MAX_QUEUED = 2 * POLLS_PER_ROUND
# Idle rounds come this many dispatch intervals apart.
IDLE_FACTOR = 5


class Dispatcher:
    """Hands due executions and tasks of the database to the engine, round after round."""

    def __init__(self, engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        # Each round takes the submissions due until the next one.
        self.pacer = Pacer(settings.submit_rate, lead=settings.dispatch_seconds)
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
            started = self._events(session) + self._plan(session)
            room = MAX_QUEUED - self.engine.queued()
            if room > 0:
                submitted = self._submit(session, room)
                started += submitted + self._poll(session, room - submitted)
            else:
                started += 1  # work is waiting: the next round comes an interval later
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
        return self._run(PLAN, won, until, session, planning.LEASE)

    def _submit(self, session, room: int) -> int:
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
            wanted = min(self.pacer.per_round(), room - started)
            if wanted <= 0:
                break
            slots = self.pacer.reserve(session, instance_id, wanted)
            if slots.count:
                won, until = work.claim(session, "Pending", slots.count,
                                         self.settings.work_lease, instance_id)
                if len(won) < slots.count:
                    self.pacer.give_back(session, instance_id, slots.count - len(won))
                started += self._run(SUBMIT, won, until, session, work.LEASE,
                                     [slots.at(i) for i in range(len(won))])
        return started

    def _poll(self, session, room: int) -> int:
        if room <= 0:
            return 0
        won, until = work.claim(session, "Running", min(POLLS_PER_ROUND, room),
                                self.settings.work_lease)
        return self._run(POLL, won, until, session, work.LEASE)

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

    def _run(self, job: str, ids, until, session, lease, send_at=None) -> int:
        for sent, row_id in enumerate(ids):
            args = (row_id, until.isoformat()) + ((send_at[sent],) if send_at else ())
            try:
                self.engine.run(job, *args)
            except RuntimeError as error:  # shut down, or the runner's broker unreachable
                # The claims of the calls not sent end now, so the work waits for
                # nothing once the runner takes calls again.
                for unsent in ids[sent:]:
                    lease.release(session, unsent, until)
                session.commit()
                log.warning("%s of %d rows not started: %s", job, len(ids) - sent, error)
                return 0
        return len(ids)

    def _loop(self) -> None:
        rest = self.settings.dispatch_seconds
        while not self._stopped.is_set():
            self._wake.clear()
            began = time.monotonic()
            try:
                with self.engine.app.app_context():
                    found = self.round()
            except Exception as exc:  # the loop must outlive a database outage
                log.error("dispatching executions failed: %s", safe_error(exc))
                found = 0
            # Rounds start an interval apart, however long each took: the pacer
            # grants one interval's submissions a round, so a slow round must
            # not stretch the interval and lower the rate.
            interval = rest if found else rest * IDLE_FACTOR
            self._wake.wait(max(0.0, interval - (time.monotonic() - began)))
