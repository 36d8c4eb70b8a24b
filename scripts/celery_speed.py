"""An execution of 10,000 tags on 1, 2 and 4 Celery workers (part of make bench).

The scale-out topology on this machine: PostgreSQL (a database of its own,
made afresh for each run), Redis as the broker, one gunicorn app process,
and N `celery -A preheat.worker worker` processes (threads pool). The
Dragonfly stand-in turns away more than RATE job creations a second (429);
PREHEAT_SUBMIT_RATE says the same. A policy of every tag is executed through
Harbor's API; the jobs are held until every submission is in, then end.

For each number of workers: the achieved submit rate / limit, 429s, tasks
lost and submitted twice (from the stand-in's records), Execute to first
submission, and the machine's load. Needs the local PostgreSQL and Redis
(PREHEAT_BENCH_DATABASE_URL, PREHEAT_BENCH_BROKER_URL); says so and skips
without them.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import executions_speed as speed  # noqa: E402
from load import prepare, wait_until_serving  # noqa: E402
from tests.providers import dragonfly  # noqa: E402
from tests.providers.faults import free_port  # noqa: E402
from tests.registry.server import start_registry  # noqa: E402

RATE = 50
WORKERS = [int(n) for n in os.environ.get("PREHEAT_BENCH_WORKERS", "1,2,4").split(",")]
THREADS = 32  # each worker's pool: a submission waiting for its slot holds a thread
HOLD_S = 10.0
SERVER = os.environ.get("PREHEAT_BENCH_DATABASE_SERVER",
                        "postgresql+psycopg://postgres@127.0.0.1:5432")
DATABASE = "preheat_bench"
BROKER = os.environ.get("PREHEAT_BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")


def reachable() -> str | None:
    """Why the bench cannot run here, or None."""
    try:
        import celery  # noqa: F401
        import redis
    except ImportError:
        return "Celery is not installed (pip install 'preheat[celery]')"
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"no Redis at {BROKER}: {type(exc).__name__}"
    try:
        fresh_database()
    except Exception as exc:
        return f"no PostgreSQL at {SERVER}: {type(exc).__name__}"
    return None


def fresh_database() -> str:
    """An empty database of the bench's own on the PostgreSQL server; its URL."""
    import psycopg
    plain = SERVER.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain + "/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return f"{SERVER}/{DATABASE}"


def flush_broker() -> None:
    import redis
    redis.Redis.from_url(BROKER).flushdb()


def start(stack: ExitStack, argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    out = stack.enter_context(open(log, "wb"))
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    stack.callback(stop, process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_ready(log: Path, process: subprocess.Popen, timeout: float = 60.0) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if process.poll() is not None or " ready." in log.read_text(errors="replace"):
            break
        time.sleep(0.2)
    if process.poll() is not None or " ready." not in log.read_text(errors="replace"):
        raise RuntimeError(f"a worker did not start: {log.read_text(errors='replace')[-2000:]}")


def one_run(registry_url: str, digests: dict, workers: int, folder: Path) -> dict:
    flush_broker()
    with ExitStack() as stack:
        env = {**os.environ, "DATABASE_URL": fresh_database(),
               "SECRET_KEY": "celery-speed", "PREHEAT_ADMIN_PASSWORD": speed.PASSWORD,
               "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
               "PREHEAT_SUBMIT_RATE": str(RATE), "PREHEAT_CELERY_BROKER_URL": BROKER}
        prepare(env)
        standin = dragonfly.serve(tokens={speed.PAT: "active"}, rate=RATE, delay=1e9,
                                  fetch=False)
        stack.callback(standin.stop)
        book = standin.state["jobs"]
        port = free_port()
        start(stack, [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread",
                      "--threads", "8", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                      "app:create_app()"], env, folder / f"gunicorn-{workers}.log")
        for n in range(workers):
            log = folder / f"worker-{workers}-{n}.log"
            process = start(stack, [sys.executable, "-m", "celery", "-A", "preheat.worker",
                                    "worker", "--pool", "threads", "-c", str(THREADS),
                                    "-n", f"bench{n}@%h", "--without-gossip",
                                    "--without-mingle", "--without-heartbeat",
                                    "--loglevel", "INFO"], env, log)
            wait_ready(log, process)
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base)
        api = stack.enter_context(requests.Session())
        api.auth = ("admin", speed.PASSWORD)
        api.mount("http://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))
        policy = speed.set_up(api, base, registry_url, standin.url)
        load = os.getloadavg()[0]
        execute_at = time.monotonic()
        answer = api.post(policy)
        answer.raise_for_status()
        location = answer.headers["Location"]
        execution_url = base + location if location.startswith("/") else location
        execution, released = speed.watch(api, execution_url, book,
                                          timeout=speed.TAGS / RATE * 3 + 600)
        result = speed.figures(book, digests, execute_at, released, execution)
        result["load"] = (load, os.getloadavg()[0])
        result["total_s"] = time.monotonic() - execute_at
        return result


def report(rows: list[tuple[int, dict]]) -> int:
    print(f"\nCelery mode: {speed.TAGS:,} tags, Dragonfly stand-in limited to {RATE} job"
          f" creations/s; PostgreSQL, Redis, one gunicorn process, workers of {THREADS}"
          f" threads, {os.cpu_count()} cores:")
    print(f"  {'workers':>7} {'rate/limit':>10} {'slowest min':>11} {'429s':>5} {'lost':>5}"
          f" {'twice':>5} {'errors':>6} {'first (s)':>9} {'run (s)':>8} {'load':>10}")
    bad = 0
    for workers, r in rows:
        # A task that ended Error without a job (the registry too slow to answer, say)
        # is recorded, not lost.
        errors = r["metrics"]["error_task_count"]
        lost = max(0, r["never_submitted"] - errors) + r["not_ended"]
        slowest = min(r["minutes"]) if r["minutes"] else r["rate"]
        print(f"  {workers:7d} {r['rate']:10.3f} {slowest:11.3f} {r['refused']:5d} {lost:5d}"
              f" {r['twice']:5d} {errors:6d} {r['first_s']:9.2f} {r['total_s']:8.0f}"
              f" {r['load'][0]:4.1f}->{r['load'][1]:4.1f}")
        bad |= bool(lost or r["twice"] or r["strangers"])
    return 1 if bad else 0


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    why = reachable()
    if why:
        print(f"celery_speed: skipped, {why}.")
        return 0
    speed.RATE, speed.HOLD_S = RATE, HOLD_S
    with tempfile.TemporaryDirectory(prefix="celery-speed-",
                                     ignore_cleanup_errors=True) as folder:
        folder = Path(folder)
        registry = start_registry(folder / "registry")
        try:
            digests, pushed_s = speed.push(registry.url)
            print(f"celery_speed: {speed.TAGS:,} tags pushed in {pushed_s:.1f} s", flush=True)
            rows = []
            for workers in WORKERS:
                print(f"celery_speed: {workers} worker(s)...", flush=True)
                rows.append((workers, one_run(registry.url, digests, workers, folder)))
                report(rows[-1:])  # each run's line as soon as it is known
        finally:
            registry.stop()
    return report(rows)


if __name__ == "__main__":
    sys.exit(main())
