"""The registries' webhook under a burst of notifications (part of make bench).

The standalone app under gunicorn (2 gthread workers x 4 threads, so two
dispatchers compete for the same events) gets 1,000 notification envelopes
from 32 concurrent senders, in BURSTS bursts; 30% of them are resends of an
event already sent (as a registry resends until it gets a 2xx). Like a
registry, a sender sends an envelope again until it is answered 2xx. Between
bursts it waits until the app has closed the batch, so each burst is one
batch of each matching event-based policy. The figures: the webhook's
latency, and whether the executions created are exactly one per policy
matched in a burst, each with exactly the distinct tags pushed, and no push
lost. On PostgreSQL when BENCH_DATABASE_URL is set, else on SQLite.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app import create_app, db, upgrade_database  # noqa: E402
from preheat.models import Execution, Instance, Policy, RegistryEvent  # noqa: E402
from preheat.policies.filters import parse, relative_name  # noqa: E402
from preheat.registry import namespace_of  # noqa: E402
from preheat.services import projects, registries, webhooks  # noqa: E402
from scripts.list_speed import GUNICORN, serve  # noqa: E402
from tests.databases import scratch_postgres  # noqa: E402

ENVELOPES = int(os.environ.get("WEBHOOK_SPEED_ENVELOPES", "1000"))
BURSTS = 4
DUPLICATES = 0.3
SENDERS = int(os.environ.get("WEBHOOK_SPEED_SENDERS", "32"))
BATCH_SECONDS = 2
MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
REPOSITORIES = ("library/app", "library/db", "team/api", "team/web", "elsewhere/tool")
TAGS = [f"1.{n}" for n in range(40)] + [f"v2.{n}" for n in range(40)] + ["latest"]
# (project, name, repositories filter, tags filter, trigger): the last two never run by push.
POLICIES = (("library", "one-x", "**", "1.*", "event_based"),
            ("library", "app-all", "app", "**", "event_based"),
            ("team", "team-v", "*", "v*", "event_based"),
            ("team", "never", "**", "nomatch-*", "event_based"),
            ("library", "by-hand", "**", "**", "manual"))


def database(stack: ExitStack, folder: str) -> str:
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{folder}/webhook-speed.db"
    return stack.enter_context(scratch_postgres(base, "preheat_webhook_speed"))


def prepare(url: str, folder: str, env: dict) -> tuple[int, str]:
    """A registry with a webhook secret, two projects and their policies; (id, secret)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": env["SECRET_KEY"],
                      "PREHEAT_ENCRYPTION_KEY": env["PREHEAT_ENCRYPTION_KEY"]},
                     instance_path=f"{folder}/instance")
    upgrade_database(app)
    with app.app_context():
        state = app.extensions["preheat"]
        session = db.session
        registry = registries.create(session, state.secret_box,
                                     {"name": "hub", "url": "http://10.9.9.9:5000"})
        secret = webhooks.generate(session, state.secret_box, registry)
        # A deactivated provider: each execution ends at once as an Error saying so,
        # so the bench measures the webhook and the batching, not a provider.
        instance = Instance(vendor="dragonfly", name="df", endpoint="http://10.9.9.9:8080",
                            enabled=False)
        made = {name: projects.create(session, name, registry) for name in ("library", "team")}
        session.add(instance)
        for project, name, repositories, tags, trigger in POLICIES:
            session.add(Policy(name=name, project=made[project], instance=instance,
                               repositories=repositories, tags=tags, trigger=trigger))
        session.commit()
        registry_id = registry.id
        db.engine.dispose()
    state.shutdown()
    return registry_id, secret


def bursts() -> list[list[dict]]:
    """BURSTS lists of envelopes: new pushes, and 30% resends of this burst's earlier ones."""
    rng = random.Random(15)
    per_burst = ENVELOPES // BURSTS
    result = []
    for _ in range(BURSTS):
        events = [event(rng) for _ in range(round(per_burst * (1 - DUPLICATES)))]
        envelopes = events + [rng.choice(events) for _ in range(per_burst - len(events))]
        rng.shuffle(envelopes)
        result.append(envelopes)
    return result


def event(rng) -> dict:
    repository, tag = rng.choice(REPOSITORIES), rng.choice(TAGS)
    digest = "sha256:" + uuid.uuid4().hex * 2
    return {"id": str(uuid.uuid4()), "timestamp": "2026-12-01T22:00:00.000000001Z",
            "action": "push", "actor": {"name": "ci"},
            "target": {"mediaType": MANIFEST, "size": 528, "digest": digest,
                       "repository": repository, "tag": tag,
                       "url": f"http://10.9.9.9:5000/v2/{repository}/manifests/{digest}"}}


def expected(burst: list[dict]) -> dict[str, set]:
    """{policy name: the (repository, tag) pairs of the burst it must preheat}."""
    wanted: dict[str, set] = {}
    for project, name, repositories, tags, trigger in POLICIES:
        if trigger != "event_based":
            continue
        repos, tag_filter = parse("repositories", repositories), parse("tags", tags)
        pairs = {(e["target"]["repository"], e["target"]["tag"]) for e in burst
                 if namespace_of(e["target"]["repository"]) == project
                 and repos.matches(relative_name(project, e["target"]["repository"]))
                 and tag_filter.matches(e["target"]["tag"])}
        if pairs:
            wanted[name] = pairs
    return wanted


class Sender:
    """Posts envelopes as a registry does: again until answered 2xx; times every attempt."""

    def __init__(self, url: str, secret: str):
        self.url, self.secret = url, secret
        self.latencies: list[float] = []
        self.retries = 0
        self.local = threading.local()
        self.lock = threading.Lock()

    def send(self, body: dict) -> None:
        http = getattr(self.local, "http", None) or requests.Session()
        self.local.http = http
        headers = {"Content-Type": "application/vnd.docker.distribution.events.v1+json",
                   "Authorization": webhooks.header_value(self.secret)}
        for attempt in range(20):
            started = time.perf_counter()
            answer = http.post(self.url, json={"events": [body]}, headers=headers, timeout=10)
            with self.lock:
                self.latencies.append(time.perf_counter() - started)
                self.retries += attempt > 0
            if answer.ok:
                return
            time.sleep(0.2)
        raise RuntimeError(f"an envelope was refused 20 times: {answer.status_code}")


def wait_processed(engine_url: str, seconds: float = 120) -> None:
    """Until no event is pending: the app closed the burst's batch."""
    from sqlalchemy import create_engine
    engine = create_engine(engine_url)
    until = time.monotonic() + seconds
    try:
        while time.monotonic() < until:
            with engine.connect() as connection:
                pending = connection.scalar(select(func.count()).select_from(RegistryEvent)
                                            .where(RegistryEvent.status == "pending"))
            if not pending:
                return
            time.sleep(0.2)
        raise RuntimeError("events still pending after 120 s")
    finally:
        engine.dispose()


def outcome(url: str):
    """(events recorded, [(policy name, set of (repository, tag)) per execution])."""
    import json
    from sqlalchemy import create_engine
    engine = create_engine(url)
    with engine.connect() as connection:
        recorded = connection.scalar(select(func.count()).select_from(RegistryEvent))
        rows = connection.execute(select(Policy.name, Execution.trigger_detail)
                                  .join(Execution.policy).order_by(Execution.id)).all()
    engine.dispose()
    return recorded, [(name, {(a["repository"], a["tag"])
                              for a in json.loads(detail or "{}").get("artifacts", [])})
                      for name, detail in rows]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        url = database(stack, folder)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "webhook-speed",
               "PREHEAT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
               "PREHEAT_EVENT_BATCH_SECONDS": str(BATCH_SECONDS)}
        registry_id, secret = prepare(url, folder, env)
        base = serve(stack, "app:create_app()", env, ROOT)
        sender = Sender(f"{base}/api/v2.0/registries/{registry_id}/events", secret)
        planned = bursts()
        wanted = []
        started = time.perf_counter()
        with ThreadPoolExecutor(SENDERS) as pool:
            for burst in planned:
                list(pool.map(sender.send, burst))
                wait_processed(url)
                wanted += sorted(expected(burst).items())
        elapsed = time.perf_counter() - started
        recorded, made = outcome(url)
    distinct = sum(len({e["id"] for e in burst}) for burst in planned)
    return report(sender, distinct, recorded, wanted, made, elapsed,
                  make_url(url).get_backend_name())


def report(sender: Sender, distinct: int, recorded: int, wanted, made, elapsed: float,
           backend: str) -> int:
    latencies = sorted(sender.latencies)
    p99 = latencies[max(0, round(len(latencies) * 0.99) - 1)]
    same = sorted(made) == sorted(wanted)
    tasks_wanted, tasks_made = (sum(len(pairs) for _, pairs in rows) for rows in (wanted, made))
    print(f"webhook ({ENVELOPES} envelopes, {DUPLICATES:.0%} resent, {BURSTS} bursts, {SENDERS}"
          f" senders, gunicorn 2 workers x 4 threads, {backend}):")
    print(f"  {'latency p50 / p99 / max':28} {statistics.median(latencies) * 1000:6.1f} /"
          f" {p99 * 1000:6.1f} / {latencies[-1] * 1000:6.1f} ms")
    print(f"  {'posts (resent after non-2xx)':28} {len(latencies)} ({sender.retries})")
    print(f"  {'distinct events / recorded':28} {distinct} / {recorded}"
          f"{'' if distinct == recorded else '  LOST OR DOUBLED'}")
    print(f"  {'executions expected / made':28} {len(wanted)} / {len(made)}"
          f"{'' if same else '  MISMATCH'}")
    print(f"  {'tasks expected / made':28} {tasks_wanted} / {tasks_made}")
    print(f"  {'wall time':28} {elapsed:.1f} s")
    return 0 if same and distinct == recorded else 1


if __name__ == "__main__":
    sys.exit(main())
