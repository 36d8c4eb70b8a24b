"""One background thread that runs jobs in order, started in the process that posts them."""
from __future__ import annotations

import logging
import queue
import threading

log = logging.getLogger(__name__)


class SerialWorker:
    """Runs posted jobs one after another on a thread of its own; it ends once closed and idle."""

    def __init__(self, name: str):
        self._name = name
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def post(self, job) -> None:
        """Run `job()` after the jobs posted before it; jobs handle their own errors."""
        with self._lock:
            self._jobs.put(job)
            # Also after a fork, which leaves the parent's thread behind.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True, name=self._name)
                self._thread.start()

    def close(self) -> None:
        """Let the thread end once the jobs already posted (and any posted later) have run."""
        with self._lock:
            self._closed = True
        self._jobs.put(None)  # wakes the thread if it waits for work

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._closed and self._jobs.empty():
                    self._thread = None
                    return
            job = self._jobs.get()
            try:
                if job is not None:
                    job()
            except Exception as exc:  # the last resort; the text could carry secrets
                log.error("a job of %s failed: %s", self._name, type(exc).__name__)
