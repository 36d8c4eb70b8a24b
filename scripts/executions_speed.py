"""An execution of 10,000 tags against a Dragonfly limited to 10 jobs a second (part of make bench).

A real docker-registry holds one small image under PREHEAT_BENCH_TAGS tags
(default 10,000; each tag its own manifest over the same blobs). The app runs
in gunicorn (one worker) on a SQLite file with PREHEAT_SUBMIT_RATE=10 and
the default poll settings; a policy matching every tag is executed through Harbor's API. The Dragonfly stand-in
turns away more than 10 job creations a second (429) and does not fetch
the manifests (it would pull 10,000 of them): its jobs stay pending until the
last submission is in, then end SUCCESS HOLD_S seconds later, so that every
job is running at once and polling is measured at 10%, 50% and 100% of them.

Every figure comes from the stand-in's own records: when each job was
created, every 429, every poll. A rate of 1.0 means the limit was used to
the full; tasks lost and tasks submitted twice must both be 0.
"""
from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from contextlib import ExitStack
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from load import prepare, wait_until_serving  # noqa: E402
from preheat.executions.dispatcher import POLLS_PER_ROUND  # noqa: E402
from preheat.executions.settings import DEFAULTS  # noqa: E402
from preheat.registry import RegistryClient  # noqa: E402
from preheat.registry.push import Pusher  # noqa: E402
from preheat.transport import HttpClient, Target  # noqa: E402
from tests.providers import dragonfly  # noqa: E402
from tests.providers.faults import free_port  # noqa: E402
from tests.registry.server import start_registry  # noqa: E402

TAGS = int(os.environ.get("PREHEAT_BENCH_TAGS", "10000"))
RATE = 10
HOLD_S = 60.0  # how long every job runs at once before they end
WINDOW_S = 10.0
PROGRESS_S = 30.0
PROJECT, REPOSITORY, POLICY = "bench", "bench/app", "warm-all"
PAT = "bench-dragonfly-token"
PASSWORD = "executions-speed-password"


def push(url: str) -> tuple[dict[str, str], float]:
    """One image under TAGS tags; {digest: tag} and the seconds it took."""
    started = time.monotonic()
    pusher = Pusher(RegistryClient(HttpClient(timeout=10.0, deadline=30.0)),
                    Target(url, peer="registry"))
    tags = pusher.images(REPOSITORY, [f"v{n}" for n in range(TAGS)], concurrency=8)
    return {digest: tag for tag, digest in tags.items()}, time.monotonic() - started


def serve_app(stack: ExitStack, folder: Path) -> str:
    """gunicorn with one worker on a fresh SQLite file; its base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/executions.db",
           "SECRET_KEY": "executions-speed", "PREHEAT_ADMIN_PASSWORD": PASSWORD,
           "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
           "PREHEAT_SUBMIT_RATE": str(RATE)}
    prepare(env)
    log = stack.enter_context(open(folder / "gunicorn.log", "wb"))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "8",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    stack.callback(_stop, server)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base)
    return base


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def set_up(api: requests.Session, base: str, registry_url: str, standin_url: str) -> str:
    """Registry, project, Dragonfly instance and a policy of every tag; the policy's URL."""
    root = f"{base}/api/v2.0"
    answer = api.post(f"{root}/registries", json={"name": "bench-registry", "url": registry_url,
                                                  "type": "docker-registry"})
    answer.raise_for_status()
    registry_id = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    api.post(f"{root}/projects", json={"project_name": PROJECT,
                                       "registry_id": registry_id}).raise_for_status()
    api.post(f"{root}/p2p/preheat/instances", json={
        "vendor": "dragonfly", "name": "bench-dragonfly", "endpoint": standin_url,
        "auth_mode": "OAUTH", "auth_info": {"token": PAT}}).raise_for_status()
    instance = api.get(f"{root}/p2p/preheat/instances/bench-dragonfly")
    instance.raise_for_status()
    policies = f"{root}/projects/{PROJECT}/preheat/policies"
    api.post(policies, json={
        "name": POLICY, "provider_id": instance.json()["id"],
        "filters": '[{"type":"repository","value":"**"},{"type":"tag","value":"*"}]',
    }).raise_for_status()
    return f"{policies}/{POLICY}"


def watch(api: requests.Session, execution_url: str, book, timeout: float) -> tuple[dict, float]:
    """Release the held jobs once all are in; wait for the execution's end; (it, released at)."""
    until = time.monotonic() + timeout
    released = None
    shown = time.monotonic()
    while time.monotonic() < until:
        time.sleep(1.0)
        accepted = sum(book.submissions.values())
        execution = api.get(execution_url).json()
        if execution["status"] in ("Success", "Error", "Stopped"):
            return execution, released
        # Every task submitted, or ended without a job (an Error saying why).
        waiting = execution["metrics"]["pending_task_count"]
        if released is None and (accepted >= TAGS or (accepted and not waiting)):
            book.release(HOLD_S)
            released = time.monotonic()
        if time.monotonic() - shown >= PROGRESS_S:
            shown = time.monotonic()
            metrics = execution["metrics"]
            print(f"  ... {accepted:,} submitted, {book.refusals:,} refused (429),"
                  f" {metrics['running_task_count']:,} running,"
                  f" {metrics['success_task_count']:,} done, {book.polls:,} polls",
                  flush=True)
    raise RuntimeError(f"the execution had not ended after {timeout:.0f} s")


def polling(book, first: float, released: float | None) -> list[tuple[int, int, float, float]]:
    """Polls/s in WINDOW_S windows from when 10%, 50% and 100% of the jobs were created.

    Until `released` + HOLD_S no job ends, so the jobs running are those created.
    """
    created, polls = sorted(book.created_times), sorted(book.poll_times)
    ends = (released or created[-1]) + HOLD_S
    rows = []
    for share in (0.1, 0.5, 1.0):
        start = created[max(1, round(TAGS * share)) - 1]
        rates = []
        while start + WINDOW_S <= ends and len(rates) < HOLD_S / WINDOW_S:
            count = bisect_left(polls, start + WINDOW_S) - bisect_left(polls, start)
            rates.append(count / WINDOW_S)
            start += WINDOW_S
        if rates:
            running = bisect_left(created, start)
            rows.append((max(1, round(TAGS * share)), running, statistics.mean(rates),
                         max(rates)))
    return rows


def busiest(polls: list[float]) -> float:
    """The most polls/s in any WINDOW_S window (sliding)."""
    polls = sorted(polls)
    return max((bisect_left(polls, t + WINDOW_S) - i for i, t in enumerate(polls)),
               default=0) / WINDOW_S


def minutes(created: list[float]) -> list[float]:
    """The submit rate / limit in each whole minute from the first submission."""
    rates, start = [], created[0]
    while start + 60.0 <= created[-1]:
        rates.append((bisect_left(created, start + 60.0) - bisect_left(created, start))
                     / 60.0 / RATE)
        start += 60.0
    return rates


def figures(book, digests: dict[str, str], execute_at: float, released, execution) -> dict:
    created = sorted(book.created_times)
    submitted = {url.rsplit("/", 1)[-1]: count for url, count in book.submissions.items()}
    metrics = execution["metrics"]
    accepted = sum(submitted.values())
    span = created[-1] - created[0] if len(created) > 1 else 0.0
    return {
        "accepted": accepted, "refused": book.refusals,
        "first_s": created[0] - execute_at if created else None,
        "rate": (accepted - 1) / span / RATE if span else 0.0,
        "submit_s": span, "minutes": minutes(created) if created else [],
        "never_submitted": len(set(digests) - set(submitted)),
        "not_ended": metrics["pending_task_count"] + metrics["running_task_count"],
        "twice": sum(count - 1 for count in submitted.values() if count > 1),
        "strangers": len(set(submitted) - set(digests)),
        "polling": polling(book, created[0], released) if created else [],
        "busiest": busiest(book.poll_times), "polls": book.polls,
        "status": execution["status"], "metrics": metrics,
    }


def record(book, execute_at: float, released) -> None:
    """With PREHEAT_BENCH_RECORD=<file>, keep the stand-in's records there (s from Execute)."""
    path = os.environ.get("PREHEAT_BENCH_RECORD")
    if path:
        Path(path).write_text(json.dumps({
            "created": [t - execute_at for t in sorted(book.created_times)],
            "polls": [t - execute_at for t in sorted(book.poll_times)],
            "refused": book.refusals, "released": released and released - execute_at}))


def report(result: dict, pushed_s: float, total_s: float) -> int:
    m = result["metrics"]
    lost = result["never_submitted"] + result["not_ended"]
    print(f"\nExecution of {TAGS:,} tags, Dragonfly stand-in limited to {RATE} job creations/s"
          f" (manifest fetching off; jobs held until all are in, then end after {HOLD_S:g} s):")
    print(f"  {TAGS:,} tags pushed in {pushed_s:.1f} s; execution {result['status']} after"
          f" {total_s:.0f} s: {m['success_task_count']:,} Success, {m['error_task_count']:,}"
          f" Error, {m['stopped_task_count']:,} Stopped, {result['not_ended']:,} unfinished")
    print(f"  machine load (1-min average, {os.cpu_count()} cores): {result['load'][0]:.1f} at"
          f" Execute, {result['load'][1]:.1f} at the end")
    print(f"  {'Execute to first submission':34} {result['first_s']:9.2f} s")
    print(f"  {'submit rate / limit':34} {result['rate']:9.3f}   ({result['accepted']:,} accepted"
          f" in {result['submit_s']:.0f} s; goal >= 0.9)")
    if result["minutes"]:
        print(f"  {'  slowest / fastest minute':34} {min(result['minutes']):9.3f}"
              f" / {max(result['minutes']):.3f}")
    print(f"  {'429 answers':34} {result['refused']:9,d}")
    print(f"  {'tasks lost':34} {lost:9,d}   ({result['never_submitted']} never submitted,"
          f" {result['not_ended']} not ended)")
    print(f"  {'tasks submitted twice':34} {result['twice']:9,d}")
    print(f"  Job polls/s in {WINDOW_S:g} s windows over the {HOLD_S:g} s from when so many"
          f" jobs were running (ceiling {POLLS_PER_ROUND / DEFAULTS['PREHEAT_DISPATCH_SECONDS']:g}/s:"
          f" {POLLS_PER_ROUND} a round):")
    for level, running, mean, peak in result["polling"]:
        print(f"    {level:6,d} -> {running:6,d} jobs running:  mean {mean:6.1f}/s,"
              f" max {peak:6.1f}/s")
    print(f"  busiest {WINDOW_S:g} s of the run: {result['busiest']:.1f} polls/s;"
          f" {result['polls']:,} polls in all")
    bad = (result["rate"] < 0.9 or lost or result["twice"] or result["strangers"]
           or result["status"] != "Success")
    return 1 if bad else 0


def run(stack: ExitStack, folder: Path) -> int:
    registry = start_registry(folder / "registry")
    stack.callback(registry.stop)
    digests, pushed_s = push(registry.url)
    standin = dragonfly.serve(tokens={PAT: "active"}, rate=RATE, delay=1e9, fetch=False)
    stack.callback(standin.stop)
    book = standin.state["jobs"]
    base = serve_app(stack, folder)
    api = stack.enter_context(requests.Session())
    api.auth = ("admin", PASSWORD)
    # A GET sent as the server closes an idle kept-alive connection is reset:
    # asking again is safe (Retry's default methods leave POST alone).
    api.mount("http://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))
    policy = set_up(api, base, registry.url, standin.url)
    load = os.getloadavg()[0]
    execute_at = time.monotonic()
    answer = api.post(policy)
    answer.raise_for_status()
    execution_url = base + answer.headers["Location"] if answer.headers["Location"].startswith(
        "/") else answer.headers["Location"]
    print(f"executions_speed: {TAGS:,} tags pushed in {pushed_s:.1f} s; executing...",
          flush=True)
    execution, released = watch(api, execution_url, book, timeout=TAGS / RATE * 3 + 900)
    total_s = time.monotonic() - execute_at
    record(book, execute_at, released)
    result = figures(book, digests, execute_at, released, execution)
    result["load"] = (load, os.getloadavg()[0])
    return report(result, pushed_s, total_s)


def main() -> int:
    # A terminated bench unwinds like an interrupted one: the app, stand-in and registry stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="executions-speed-",
                                     ignore_cleanup_errors=True) as folder, ExitStack() as stack:
        try:
            return run(stack, Path(folder))
        except BaseException:
            log = Path(folder) / "gunicorn.log"
            if log.exists() and log.stat().st_size:
                print("gunicorn's log:\n" + log.read_text(errors="replace")[-3000:],
                      file=sys.stderr)
            raise


if __name__ == "__main__":
    sys.exit(main())
