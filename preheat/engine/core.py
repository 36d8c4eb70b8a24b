"""The engine proper: named jobs, and the runner that runs them."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """Background work by name: `run(*args)` is called inside the app's context."""

    name: str
    run: Callable[..., Any]


class Engine:
    """Runs registered jobs on a runner; periodic work on a ticker of its own."""

    def __init__(self, app, runner, tick_seconds: float = 60.0):
        self.app = app
        self.runner = runner
        self.jobs: dict[str, Job] = {}
        self.periodic: list = []
        self.tick_seconds = tick_seconds
        self._ticker: threading.Thread | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()

    def register(self, job: Job) -> Job:
        if job.name in self.jobs:
            raise ValueError(f"a job named {job.name!r} is already registered")
        self.jobs[job.name] = job
        return job

    def every(self, periodic) -> None:
        """Run `periodic` on its interval, from the ticker."""
        self.register(Job(periodic.job_name, periodic.run))
        self.periodic.append(periodic)

    def run(self, name: str, *args) -> Future | None:
        """Have the runner run job `name` with `args`; a Future where the runner gives one."""
        if name not in self.jobs:
            raise KeyError(f"no job named {name!r}")
        return self.runner.run(self, name, args)

    def check(self) -> None:
        """Raise `RunnerUnavailable` (saying why) when the runner cannot take calls now."""
        self.runner.check()

    def queued(self) -> int:
        """Calls handed to the runner that wait for a thread or a worker."""
        return self.runner.queued()

    def execute(self, name: str, args) -> Any:
        """Run one job call here and now: what every runner ends up calling."""
        with self.app.app_context():
            try:
                return self.jobs[name].run(*args)
            except Exception as exc:
                # Only the error's kind and the driver's message: a database
                # error's full text carries the statement's parameters.
                log.error("job %s failed: %s", name, safe_error(exc))
                raise

    def tick(self, now=None) -> list[str]:
        """Start the periodic work that is due; return the names started."""
        with self.app.app_context():
            due = [periodic for periodic in self.periodic if periodic.take_turn(now)]
        for periodic in due:
            self.run(periodic.job_name)
        return [periodic.name for periodic in due]

    def start(self) -> None:
        """Start the ticker of periodic work (once; later calls do nothing)."""
        if self._ticker is not None or not self.periodic or self._stopped.is_set():
            return
        with self._lock:
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._tick_forever, daemon=True,
                                                name="preheat-ticker")
                self._ticker.start()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until the runner has no call of this process left; False on timeout."""
        waiting = getattr(self.runner, "wait_idle", None)
        return True if waiting is None else waiting(timeout)

    def shutdown(self) -> None:
        """Take no more work: queued calls are cancelled, running ones finish."""
        self._stopped.set()
        self.runner.shutdown()

    def _tick_forever(self) -> None:
        while not self._stopped.wait(self.tick_seconds):
            try:
                self.tick()
            except Exception as exc:  # the ticker must outlive a database outage
                log.error("periodic work could not start: %s", safe_error(exc))


def safe_error(exc: BaseException) -> str:
    """The kind of an error and, for database errors, the driver's own message only."""
    orig = getattr(exc, "orig", None)
    return f"{type(exc).__name__}: {orig}" if orig is not None else type(exc).__name__
