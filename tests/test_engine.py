"""The engine: jobs on a bounded runner, leases the database decides, periodic work fired once."""
import json
import queue
import threading
import time
from concurrent.futures import Future
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import create_app
from preheat.engine import Engine, Job, Lease, Periodic, ThreadRunner
from preheat.engine.group_commit import GroupCommit
from preheat.models import AuditEntry, Instance, PeriodicRun, utcnow
from tests.helpers import add_instances, release
from tests.test_audit_log import FORM


def test_a_runner_never_runs_more_calls_at_once_than_its_bound(app):
    engine = Engine(app, ThreadRunner(2))
    lock, counts = threading.Lock(), {"now": 0, "most": 0}

    def busy(_number):
        with lock:
            counts["now"] += 1
            counts["most"] = max(counts["most"], counts["now"])
        time.sleep(0.05)
        with lock:
            counts["now"] -= 1
        return _number

    engine.register(Job("busy", busy))
    futures = [engine.run("busy", number) for number in range(8)]
    assert [future.result(5) for future in futures] == list(range(8))
    assert counts["most"] == 2
    engine.shutdown()


def test_a_job_runs_inside_the_apps_context_and_unknown_jobs_are_refused(app):
    engine = Engine(app, ThreadRunner(1))
    engine.register(Job("count", lambda: app.extensions["preheat"].session.scalar(
        select(Instance.id).limit(1))))
    assert engine.run("count").result(5) is None
    with pytest.raises(KeyError):
        engine.run("nothing")
    with pytest.raises(ValueError):
        engine.register(Job("count", print))
    engine.shutdown()


def test_of_two_sessions_claiming_one_row_only_one_wins_until_the_lease_ends(app):
    [instance_id] = add_instances(app, {"vendor": "dragonfly", "name": "df",
                                        "endpoint": "http://127.0.0.1:9"})
    lease = Lease(Instance.health_claimed_until)
    with app.app_context():
        session = app.extensions["preheat"].session
        won, until = lease.claim(session, [instance_id], 30)
        assert won == [instance_id]
        assert lease.claim(session, [instance_id], 30)[0] == []
        assert lease.renew(session, instance_id, until - timedelta(seconds=1), 30) is None
        renewed = lease.renew(session, instance_id, until, 30)
        assert renewed is not None and renewed >= until
        session.execute(update(Instance).values(health_claimed_until=utcnow()
                                                - timedelta(seconds=1)))
        session.commit()  # the process holding it died: its lease ran out
        assert lease.claim(session, [instance_id], 30)[0] == [instance_id]


@pytest.fixture
def two_apps(app, app_config, tmp_path):
    """The app and a second one on the same database: two processes of one deployment."""
    other = create_app(app_config, instance_path=str(tmp_path / "other"))
    yield app, other
    release(other)


def counting(app, name="count", every=timedelta(hours=1)):
    runs = []
    engine = app.extensions["preheat"].engine
    engine.every(Periodic(name, every, lambda: runs.append(1)))
    return engine, runs


def settle(*engines):
    """Let the runs the ticks started finish."""
    for engine in engines:
        assert engine.wait_idle(5)


def test_periodic_work_fires_once_per_due_time_however_many_processes_tick(two_apps):
    (first, first_runs), (second, second_runs) = (counting(app) for app in two_apps)
    now = utcnow()
    started = [first.tick(now), second.tick(now), first.tick(now + timedelta(minutes=30)),
               second.tick(now + timedelta(minutes=59))]
    settle(first, second)
    assert sum("count" in names for names in started) == 1
    assert len(first_runs) + len(second_runs) == 1


def test_a_process_down_over_several_due_times_runs_the_work_once(two_apps):
    (first, first_runs), (second, second_runs) = (counting(app) for app in two_apps)
    now = utcnow()
    assert first.tick(now) == ["prune-audit", "schedules", "prune-events", "count"]
    later = now + timedelta(hours=5)  # five due times missed
    assert [second.tick(later), first.tick(later)] == [
        ["prune-audit", "schedules", "prune-events", "count"], []]
    settle(first, second)
    assert len(first_runs) + len(second_runs) == 2
    with two_apps[0].app_context():
        row = two_apps[0].extensions["preheat"].session.get(PeriodicRun, "count")
        assert row.last_run_at == later and row.next_run_at == later + timedelta(hours=1)


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, **getattr(request, "param", {})}


@pytest.mark.parametrize("app_config", [{"PREHEAT_TICK_SECONDS": 0.05}], indirect=True)
def test_the_ticker_prunes_the_audit_log_without_any_page_asking(app, session):
    session.add(AuditEntry(occurred_at=utcnow() - timedelta(days=400), username="admin",
                           action="create", object_type="instance", outcome="success"))
    session.commit()
    app.test_client().get("/login")  # the first request starts the ticker
    until = time.monotonic() + 5
    while session.scalar(select(AuditEntry.id)) is not None:
        assert time.monotonic() < until, "the old entry was not pruned"
        time.sleep(0.05)
        session.rollback()  # a fresh read; and SQLite's writer must not wait for ours


def test_pages_do_not_prune_the_audit_log(app, admin, session):
    admin.post("/distributions/new", FORM)
    session.execute(update(AuditEntry).values(occurred_at=utcnow() - timedelta(days=400)))
    session.commit()
    for url in ("/distributions", "/audit-log", "/api/v2.0/p2p/preheat/audit-logs"):
        assert admin.get(url).status_code == 200
    assert session.scalar(select(AuditEntry.action)) == "create"


class BrokerRunner:
    """A second runner class: calls go out as JSON to a worker thread, as to a queue's workers."""

    def __init__(self):
        self.queue, self.sent = queue.SimpleQueue(), []
        self.worker = threading.Thread(target=self._work, daemon=True)
        self.worker.start()

    def run(self, engine, name, args):
        message = json.dumps([name, list(args)])
        self.sent.append(name)
        self.queue.put((engine, message))
        handed = Future()
        handed.set_result(None)  # results stay with the worker; the database has them
        return handed

    def _work(self):
        while (item := self.queue.get()) is not None:
            engine, message = item
            name, args = json.loads(message)
            engine.execute(name, args)

    def queued(self):
        return self.queue.qsize()

    def shutdown(self):
        self.queue.put(None)


def test_health_checks_run_on_another_runner_class_unchanged(app, session, dragonfly):
    [instance_id] = add_instances(app, {"vendor": "dragonfly", "name": "df",
                                        "endpoint": dragonfly.url})
    state = app.extensions["preheat"]
    runner = BrokerRunner()
    state.engine.runner = runner
    state.health.submit([instance_id])
    until = time.monotonic() + 10
    while session.scalar(select(Instance.health_status)) != "healthy":
        assert time.monotonic() < until, "the check did not run"
        time.sleep(0.05)
        session.rollback()
    assert runner.sent == ["health.claim", "health.check"]
    assert session.scalar(select(Instance.health_claimed_until)) is None


def test_group_commit_stores_every_write_once_in_fewer_batches_and_passes_errors_on():
    batches, gate = [], threading.Event()

    def write_many(items):
        gate.wait(5)  # the first batch is slow: the other writes wait and join the next
        batches.append(list(items))
        if "bad" in items:
            raise RuntimeError("the database broke")
        return [item * 2 for item in items]

    group = GroupCommit(write_many)
    results, errors = {}, {}

    def write(item):
        try:
            results[item] = group.write(item)
        except RuntimeError as exc:
            errors[item] = str(exc)

    def write_at_once(items):
        """Write each item from a thread of its own; the first batch waits for the rest."""
        threads = [threading.Thread(target=write, args=(item,)) for item in items]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
        gate.set()
        for thread in threads:
            thread.join(5)

    write_at_once(range(20))
    assert results == {number: number * 2 for number in range(20)}
    assert sorted(item for batch in batches for item in batch) == list(range(20))
    assert len(batches) < 20
    gate.clear()
    write_at_once(["bad", "worse"])
    assert "bad" in errors and all(message == "the database broke"
                                   for message in errors.values())
