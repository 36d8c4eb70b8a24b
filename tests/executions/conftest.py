"""Fixtures for executions: a real registry with images, a Dragonfly stand-in, a policy."""
from __future__ import annotations

import time

import pytest

from preheat.executions import runs
from preheat.models import Execution, Instance, Policy
from preheat.services import instances, projects, registries
from tests.executions import workers as celery_workers
from tests.executions.processes import AppProcess, environment
from tests.providers import dragonfly as dragonfly_standin
from tests.registry.fixtures import pusher_for

PAT = "pat-canary-execution-5Tq2"
FAST = {"PREHEAT_POLL_INTERVAL": 0.05, "PREHEAT_POLL_MAX_INTERVAL": 0.2,
        "PREHEAT_DISPATCH_SECONDS": 0.02, "PREHEAT_SUBMIT_RATE": 50}


@pytest.fixture
def app_config(app_config, request, broker):
    """Polling and dispatching in hundredths of a second, and whatever a test parametrizes;
    with PREHEAT_TEST_CELERY=1, the broker the jobs go to."""
    celery = {"PREHEAT_CELERY_BROKER_URL": broker,
              "PREHEAT_CELERY_VISIBILITY_TIMEOUT": 10} if broker else {}
    return {**app_config, **FAST, **celery, **getattr(request, "param", {})}


@pytest.fixture
def celery_worker(app, app_config, tmp_path):
    """celery_worker(**settings): start one more real Celery worker process on the test's
    database and broker; all are stopped after the test."""
    started = []

    def start(**settings) -> celery_workers.WorkerProcess:
        env = environment(app_config, **settings)
        worker = celery_workers.WorkerProcess(env, tmp_path / "workers",
                                              f"worker{len(started)}")
        started.append(worker)
        return worker.start()
    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def app(app, broker, celery_worker):
    """The app under test; with PREHEAT_TEST_CELERY=1, with a real worker running its jobs."""
    if broker:
        celery_worker()
    return app


# Settings of the app processes `served` starts: fast, but not so fast that
# two processes on two shared cores spend their time dispatching.
SERVED = {"PREHEAT_POLL_INTERVAL": 0.1, "PREHEAT_POLL_MAX_INTERVAL": 0.3,
          "PREHEAT_DISPATCH_SECONDS": 0.05, "PREHEAT_HTTP_TIMEOUT": 5.0}


@pytest.fixture
def served(app_config, tmp_path):
    """served(**settings): a new gunicorn process of the app on the test's database."""
    processes = []

    def start(**settings) -> AppProcess:
        env = environment(app_config, **{**SERVED, **settings})
        processes.append(AppProcess(env, tmp_path / f"process-{len(processes)}"))
        return processes[-1].start()
    yield start
    for process in processes:
        process.stop()


@pytest.fixture
def box(app):
    return app.extensions["preheat"].secret_box


@pytest.fixture
def dragonfly(started):
    """dragonfly(**knobs): a Dragonfly manager stand-in whose PAT has the job scope."""
    def start(**knobs):
        server = started(dragonfly_standin.serve, tokens={PAT: "active"}, **knobs)
        server.book = server.state["jobs"]
        return server
    return start


@pytest.fixture
def images(own_registry):
    """push(tags, repository="library/app"): images pushed to a registry of this test's own."""
    pusher = pusher_for(own_registry)

    def push(tags, repository="library/app", kind="docker"):
        return {tag: pusher.image(repository, tag, kind=kind).digest for tag in tags}
    push.registry = own_registry
    return push


@pytest.fixture
def policy(session, box, images):
    """policy(provider, vendor="dragonfly", **fields): a policy of project `library`."""
    def make(provider, vendor="dragonfly", **fields) -> Policy:
        registry = registries.create(session, box, {"name": "hub", "url": images.registry.url})
        project = projects.create(session, "library", registry)
        auth = {"auth_mode": "OAUTH", "auth_info": {"token": PAT}} if vendor == "dragonfly" \
            else {}
        instance = instances.create(session, box, {
            "vendor": vendor, "name": "df" if vendor == "dragonfly" else "kraken",
            "endpoint": provider.url, **auth})
        row = Policy(name="warm", project=project, instance=instance, **fields)
        session.add(row)
        session.commit()
        return row
    return make


def dragonfly_instance(session, box, registry_url: str, endpoint: str) -> int:
    """Registry hub, project library on it, and Dragonfly instance df; the instance's id."""
    registry = registries.create(session, box, {"name": "hub", "url": registry_url})
    projects.create(session, "library", registry)
    instance = instances.create(session, box, {
        "vendor": "dragonfly", "name": "df", "endpoint": endpoint, "auth_mode": "OAUTH",
        "auth_info": {"token": PAT}})
    session.commit()
    return instance.id


def run_to_end(app, session, policy: Policy, timeout: float = 15.0, **start) -> Execution:
    """Start an execution of `policy` and wait until it has ended."""
    execution = runs.start(session, policy, **start)
    app.extensions["preheat"].executions.wake()
    return wait_for(session, execution.id, timeout)


def wait_for(session, execution_id: int, timeout: float = 15.0,
             statuses=("Success", "Error", "Stopped")) -> Execution:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        session.expire_all()
        execution = session.get(Execution, execution_id)
        if execution.status in statuses:
            return execution
        session.commit()
        time.sleep(0.02)
    raise AssertionError(f"execution {execution_id} is still {execution.status}")


def deactivate(session, instance: Instance) -> None:
    instances.set_enabled(session, [instance], False)
