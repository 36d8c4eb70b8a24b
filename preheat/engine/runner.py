"""Runners: where the engine's "run this job" calls are carried out.

A runner has `run(engine, name, args)`, `queued()` and `shutdown()`. It ends up calling
`engine.execute(name, args)`, in this process or another one, and returns a
Future: of the call's result when it runs here, or done with None once the
call is handed to another process. `args` are JSON values.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait


class RunnerUnavailable(RuntimeError):
    """The runner cannot take calls now (its broker is down); the message says why."""


class ThreadRunner:
    """A bounded pool of threads in the app process: the default runner."""

    def __init__(self, max_workers: int, name: str = "preheat-engine"):
        if max_workers < 1:
            raise ValueError("a runner needs at least one thread")
        self.max_workers = max_workers
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._calls: set[Future] = set()

    def run(self, engine, name: str, args) -> Future:
        future = self._pool.submit(engine.execute, name, args)
        with self._lock:
            self._calls.add(future)
        future.add_done_callback(self._done)
        return future

    def check(self) -> None:
        """A pool in this process always takes calls."""

    def queued(self) -> int:
        """Calls waiting for a thread."""
        with self._lock:
            return max(0, len(self._calls) - self.max_workers)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no call is queued or running; False on timeout."""
        with self._lock:
            calls = list(self._calls)
        return not wait(calls, timeout).not_done

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _done(self, future: Future) -> None:
        with self._lock:
            self._calls.discard(future)
