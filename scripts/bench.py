"""Measure what dead providers cost: a refresh of many instances, and the list page.

1. Refresh 200 instances of which 20% are dead: wall time as a ratio to one
   timeout, once with the dead ones blackholed (connections go unanswered)
   and once silent (connections are accepted, requests never answered).
   About 1 is the floor: every dead one waits out one timeout, all at once.
2. The list page (100 rows) with 20% dead providers, divided by the same page
   with every provider healthy. Both start with no stored health, so the first
   load queues a check of every row and the loads after it are served while
   those checks (and the dead ones' timeouts) are still running.

Run with `make bench`. Stand-ins run on loopback; nothing leaves the machine.
"""
from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app, create_user, db, upgrade_database  # noqa: E402
from preheat.models import Instance  # noqa: E402
from tests.databases import scratch_postgres  # noqa: E402
from tests.helpers import Client, add_instances  # noqa: E402
from tests.providers import dragonfly  # noqa: E402
from tests.providers.faults import blackhole, silent  # noqa: E402

INSTANCES = 200
DEAD_SHARE = 0.2
TIMEOUT = 1.0  # seconds; short so the bench stays quick
PAGE_LOADS = 30
REPEATS = 3
TOKEN = "bench-token"


def build_app(folder: Path, database_url: str):
    """A standalone app on an empty database, with a sysadmin."""
    app = create_app({
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
        "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "PREHEAT_HTTP_TIMEOUT": TIMEOUT,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }, instance_path=str(folder / "instance"))
    upgrade_database(app)
    with app.app_context():
        create_user("bench", "bench-password", sysadmin=True)
        db.session.commit()
    return app


def database(stack: ExitStack, folder: Path, name: str) -> str:
    """A SQLite file, or with BENCH_DATABASE_URL a PostgreSQL database dropped afterwards."""
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{folder / (name + '.db')}"
    return stack.enter_context(scratch_postgres(base, f"preheat_bench_{name}"))


def serve_standins(count: int, urls, stop) -> None:
    """In a child process: run `count` Dragonfly stand-ins until `stop` is set."""
    servers = [dragonfly.serve(tokens={TOKEN: "active"}) for _ in range(count)]
    urls.put([server.url for server in servers])
    stop.wait()


def endpoints(stack: ExitStack, count: int, dead: int = 0, fault=blackhole) -> list[str]:
    """`count` distinct endpoints; every (count // dead)-th one a `fault` (blackhole, silent).

    The stand-ins run in a process of their own, so that their work does not
    compete with the app's for this process's interpreter lock.
    """
    every = count // dead if dead else 0
    is_dead = [bool(every) and number % every == every - 1 for number in range(count)]
    urls, stop = multiprocessing.Queue(), multiprocessing.Event()
    child = multiprocessing.Process(target=serve_standins, daemon=True,
                                    args=(is_dead.count(False), urls, stop))
    child.start()
    stack.callback(child.join, 10)
    stack.callback(stop.set)
    healthy = iter(urls.get(timeout=60))
    return [stack.enter_context(fault()) if dead_one else next(healthy)
            for dead_one in is_dead]


def bench_instances(urls: list[str]) -> list[dict]:
    """One Dragonfly instance with the stand-ins' token per URL."""
    return [{"vendor": "dragonfly", "name": f"bench-{number:03d}", "endpoint": url,
             "auth_mode": "OAUTH", "auth_info": {"token": TOKEN}}
            for number, url in enumerate(urls)]


def forget_health(app) -> None:
    """Start from no stored health, as after a restore or for new instances."""
    with app.app_context():
        db.session.execute(update(Instance).values(health_checked_at=None,
                                                   health_status="unknown"))
        db.session.commit()


def refresh_ratio(app, ids: list[int]) -> float:
    """Median over REPEATS of checking every instance, in seconds per timeout."""
    monitor = app.extensions["preheat"].health
    ratios = []
    for _ in range(REPEATS):
        forget_health(app)
        started = time.monotonic()
        futures = monitor.submit(ids, requested_at=datetime.now(timezone.utc))
        for future in futures.values():
            future.result()
        ratios.append((time.monotonic() - started) / TIMEOUT)
    return statistics.median(ratios)


def page_latencies(apps) -> list[float]:
    """Median seconds to serve the list page (100 rows) of each app.

    Loads alternate between the apps, so that whatever else the machine does
    weighs on both alike; each app starts from no stored health.
    """
    clients = [Client(app).login("bench", "bench-password") for app in apps]
    for app in apps:
        forget_health(app)
    timings = [[] for _ in apps]
    for number in range(PAGE_LOADS + 3):
        for client, samples in zip(clients, timings):
            started = time.perf_counter()
            response = client.get("/distributions?page_size=100")
            elapsed = time.perf_counter() - started
            assert response.status_code == 200
            if number >= 3:  # the first loads warm caches and templates
                samples.append(elapsed)
    return [statistics.median(samples) for samples in timings]


def shutdown(app) -> None:
    """Stop the app's checks before its database goes away."""
    monitor = app.extensions["preheat"].health
    monitor.shutdown()
    monitor.wait_idle(3 * TIMEOUT + 5)
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    dead = int(INSTANCES * DEAD_SHARE)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        mixed = build_app(folder / "mixed", database(stack, folder, "mixed"))
        stack.callback(shutdown, mixed)
        ids = add_instances(mixed, *bench_instances(endpoints(stack, INSTANCES, dead)))
        refresh = refresh_ratio(mixed, ids)
        quiet = build_app(folder / "silent", database(stack, folder, "silent"))
        stack.callback(shutdown, quiet)
        quiet_ids = add_instances(quiet, *bench_instances(endpoints(stack, INSTANCES, dead,
                                                                    silent)))
        refresh_silent = refresh_ratio(quiet, quiet_ids)
        healthy = build_app(folder / "healthy", database(stack, folder, "healthy"))
        stack.callback(shutdown, healthy)
        add_instances(healthy, *bench_instances(endpoints(stack, INSTANCES)))
        slow_page, fast_page = page_latencies([mixed, healthy])
        concurrency = mixed.config["PREHEAT_HEALTH_CONCURRENCY"]
        backend = make_url(mixed.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    print(f"timeout {TIMEOUT:g} s (connect and read), PREHEAT_HEALTH_CONCURRENCY"
          f" {concurrency}, database {backend}")
    print(f"refresh of {INSTANCES} instances, {dead} blackholed: {refresh:.2f} x one timeout"
          f" (median of {REPEATS}; with {concurrency} checks at a time the dead ones all wait"
          " at once, which puts the floor at 1 timeout; the reachable ones are checked on the"
          " other threads meanwhile)")
    print(f"refresh of {INSTANCES} instances, {dead} silent: {refresh_silent:.2f} x one timeout"
          f" (median of {REPEATS})")
    print(f"list page with {DEAD_SHARE:.0%} dead / all healthy: {slow_page / fast_page:.2f}"
          f" ({slow_page * 1000:.1f} ms / {fast_page * 1000:.1f} ms, median of {PAGE_LOADS})")


if __name__ == "__main__":
    main()
