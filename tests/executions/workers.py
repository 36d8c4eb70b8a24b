"""Real Celery workers (`celery -A preheat.worker worker`) on the local Redis, for the tests.

PREHEAT_TEST_CELERY=1 runs the executions tests with PREHEAT_CELERY_BROKER_URL
set: the app under test sends its jobs to Redis, and a worker process started
here (threads pool, the test's database and keys in its environment, as
`processes.environment` gives a served app) runs them. Each test session takes
a Redis database number of its own (a lock key in database 0) and flushes it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import redis

from tests.executions.processes import ROOT, ProcessGroup

ENABLED = os.environ.get("PREHEAT_TEST_CELERY") == "1"
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("PREHEAT_TEST_REDIS_PORT", "6379"))
LOCK = "preheat-test-broker-db:{}"


def unreachable() -> str | None:
    """Why the local Redis cannot be the tests' broker, or None."""
    try:
        redis.Redis(REDIS_HOST, REDIS_PORT, db=0, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"no Redis at {REDIS_HOST}:{REDIS_PORT} for the Celery runs: {error}"
    return None


def take_database() -> tuple[int, redis.Redis]:
    """A Redis database number no other test session holds, flushed."""
    control = redis.Redis(REDIS_HOST, REDIS_PORT, db=0)
    for number in range(1, 16):
        if control.set(LOCK.format(number), os.getpid(), nx=True, ex=6 * 3600):
            own = redis.Redis(REDIS_HOST, REDIS_PORT, db=number)
            own.flushdb()
            return number, own
    raise AssertionError("every Redis database 1..15 is held by another test session")


def give_back(number: int) -> None:
    control = redis.Redis(REDIS_HOST, REDIS_PORT, db=0)
    redis.Redis(REDIS_HOST, REDIS_PORT, db=number).flushdb()
    control.delete(LOCK.format(number))


class WorkerProcess(ProcessGroup):
    """One `celery worker` process (threads pool), in a process group of its own."""

    stop_seconds = 15  # a warm shutdown waits for the tasks under way

    def __init__(self, env: dict, folder: Path, name: str, concurrency: int = 8):
        self.env, self.folder, self.name, self.concurrency = env, folder, name, concurrency
        self.process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.folder / f"{self.name}.log"

    def start(self, timeout: float = 60.0) -> WorkerProcess:
        """Start the worker and wait until it says it is ready."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "preheat.worker", "worker",
                 "--pool", "threads", "-c", str(self.concurrency), "-n", f"{self.name}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel", "INFO"],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker ended: {self.log()}")
            if " ready." in self.log():
                return self
            time.sleep(0.1)
        raise AssertionError(f"the worker was not ready in {timeout:g} s: {self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""
