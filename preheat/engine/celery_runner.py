"""The Celery runner: the engine's calls go to Celery workers through a broker.

Every call is one message of one generic task, `preheat.run`, carrying the
job's name and its JSON arguments; the worker (`preheat.worker`) calls the
same `Engine.execute` the thread runner calls. Tasks are acknowledged late
(after they ran), so a worker killed in the middle of one leaves it to
another worker; the database rows stay the truth, and a job whose claim on
its row is gone gives way. Imported only when PREHEAT_CELERY_BROKER_URL is set.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from celery import Celery

from .runner import RunnerUnavailable

TASK = "preheat.run"
QUEUE = "preheat"
# Seconds a dead broker may hold a page or the dispatcher; after a failure,
# sends fail at once for this long.
CONNECT_TIMEOUT = 2.0
DOWN_FOR = 5.0


class BrokerUnavailable(RunnerUnavailable):
    """The broker cannot be reached: nothing was sent."""

    def __init__(self, reason: str):
        super().__init__(f"The task broker is unreachable: {reason}.")
        self.reason = reason


def make_celery(broker_url: str, visibility_timeout: float = 3600.0) -> Celery:
    """A Celery app configured as Preheat's runner and workers need it."""
    celery = Celery("preheat", broker=broker_url, set_as_current=False)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        broker_connection_timeout=CONNECT_TIMEOUT,
        broker_connection_retry_on_startup=True,
        task_publish_retry=False,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            "socket_timeout": CONNECT_TIMEOUT,
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "max_retries": 0,
        },
        worker_hijack_root_logger=False,
    )
    return celery


class CeleryRunner:
    """Sends each call to the workers; its Future is done (with None) once the call is sent."""

    def __init__(self, celery: Celery):
        self.celery = celery
        self._down_until = 0.0
        self._reason = ""
        self._lock = threading.Lock()
        self._closed = False

    def run(self, engine, name: str, args) -> Future:
        if self._closed:
            raise RuntimeError("the runner is shut down")
        self._fail_fast()
        try:
            self.celery.send_task(TASK, args=[name, list(args)])
        except Exception as exc:  # kombu's OperationalError, a socket error, a timeout
            raise self._went_down(exc) from None
        future: Future = Future()
        future.set_result(None)
        return future

    def check(self) -> None:
        """Raise BrokerUnavailable unless the broker answers now (within the timeout)."""
        self._fail_fast()
        try:
            with self.celery.connection_for_write() as connection:
                connection.ensure_connection(max_retries=0, timeout=CONNECT_TIMEOUT)
        except Exception as exc:
            raise self._went_down(exc) from None

    def queued(self) -> int:
        """Calls waiting in the broker's queue for a worker; 0 when it cannot be asked
        (sending then fails and says why)."""
        try:
            with self.celery.connection_for_write() as connection:
                return connection.default_channel.queue_declare(
                    queue=QUEUE, passive=True).message_count
        except Exception:  # the broker down, or the queue not declared yet
            return 0

    def wait_idle(self, timeout: float) -> bool:
        return True  # nothing of this process's runs here

    def shutdown(self) -> None:
        self._closed = True

    def _fail_fast(self) -> None:
        with self._lock:
            if time.monotonic() < self._down_until:
                raise BrokerUnavailable(self._reason)

    def _went_down(self, exc: Exception) -> BrokerUnavailable:
        reason = _reason(exc)
        with self._lock:
            self._down_until, self._reason = time.monotonic() + DOWN_FOR, reason
        return BrokerUnavailable(reason)


def _reason(exc: Exception) -> str:
    """What went wrong, without the broker's URL (which may carry a password)."""
    text = str(exc).strip() or type(exc).__name__
    return text.split("\n", 1)[0][:200]
