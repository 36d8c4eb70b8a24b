"""Executions under rate limits, restarts and several processes: none lost, none sent twice."""
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app import create_app
from preheat.executions import runs
from preheat.models import Execution, Task, utcnow
from preheat.services import registries
from tests.tcp_proxy import TcpProxy
from tests.executions.conftest import run_to_end, wait_for
from tests.helpers import release
from tests.providers import kraken as kraken_standin
from tests.providers.preheats import Clock


def statuses(session, execution):
    return dict(session.execute(select(Task.status, func.count()).where(
        Task.execution_id == execution.id).group_by(Task.status)).all())


def test_a_rate_limited_provider_gets_each_tag_once_after_its_429s(app, session, images,
                                                                   dragonfly, policy):
    images([f"1.{n}" for n in range(12)])
    provider = dragonfly(rate=4, burst=2)
    execution = run_to_end(app, session, policy(provider), timeout=30)
    assert execution.status == "Success", execution.status_message
    assert statuses(session, execution) == {"Success": 12}
    assert sorted(provider.book.submissions.values()) == [1] * 12
    retried = session.scalar(select(func.count()).select_from(Task).where(
        Task.execution_id == execution.id, Task.log.contains("rate limit")))
    assert retried > 0


def test_kraken_is_sent_one_notification_per_tag_and_an_oci_image_ends_as_error(
        app, session, images, started, policy):
    images(["1.0"], kind="docker")
    images(["oci"], kind="oci")
    kraken = started(kraken_standin.serve)
    execution = run_to_end(app, session, policy(kraken, vendor="kraken"))
    tasks = {t.tag: t for t in session.scalars(select(Task).where(
        Task.execution_id == execution.id))}
    assert tasks["1.0"].status == "Success"
    assert "Kraken does not confirm" in tasks["1.0"].status_message
    assert tasks["oci"].status == "Error" and "OCI" in tasks["oci"].status_message
    assert execution.status == "Error"
    assert [event["Target"]["Tag"] for envelope in kraken.state["notifications"]
            for event in envelope["Events"]] == ["1.0"]


def test_retrying_failed_tasks_runs_only_those_again(app, session, images, started, policy):
    images(["1.0"], kind="docker")
    images(["oci"], kind="oci")
    row = policy(started(kraken_standin.serve), vendor="kraken")
    first = run_to_end(app, session, row)
    retried = runs.retry_failed(session, first)
    app.extensions["preheat"].executions.wake()
    retried = wait_for(session, retried.id)
    assert retried.retry_of == first.id
    assert [t.tag for t in session.scalars(select(Task).where(
        Task.execution_id == retried.id))] == ["oci"]


def test_old_executions_beyond_the_retention_are_pruned(app, session, images, dragonfly, policy):
    row = policy(dragonfly())
    ended = [run_to_end(app, session, row).id for _ in range(4)]
    assert runs.prune(session, row.id, keep=2) == 2
    kept = list(session.scalars(select(Execution.id).where(Execution.policy_id == row.id)
                                .order_by(Execution.id)))
    assert kept == ended[2:]


@pytest.mark.parametrize("app_config", [{"PREHEAT_POLL_INTERVAL": 0.05}], indirect=True)
def test_a_restarted_process_follows_the_running_tasks_to_their_end(app, session, images,
                                                                    dragonfly, policy, tmp_path):
    images(["1.0", "1.1"])
    clock = Clock()
    provider = dragonfly(delay=60, clock=clock)
    execution = runs.start(session, policy(provider))
    app.extensions["preheat"].executions.wake()
    wait_for(session, execution.id, statuses=("Running",))
    _wait_tasks(session, execution, "Running", 2)
    release(app)  # the process dies: its dispatcher and engine stop
    again = create_app(app.config, instance_path=str(tmp_path / "again"))
    try:
        clock.advance(60)
        again.extensions["preheat"].executions.wake()
        with again.app_context():
            other = again.extensions["preheat"].db.session
            done = wait_for(other, execution.id)
            assert done.status == "Success", done.status_message
    finally:
        release(again)
    assert sorted(provider.book.submissions.values()) == [1, 1]


# Two apps, the stand-in and the registry share this test's process: give an answer
# time to come back under load, so the test is about claims, not about timeouts.
@pytest.mark.parametrize("app_config", [{"PREHEAT_HTTP_TIMEOUT": 10.0}], indirect=True)
def test_two_processes_share_one_execution_and_submit_each_tag_once(app, session, images,
                                                                    dragonfly, policy, tmp_path):
    images([f"t{n}" for n in range(200)])
    provider = dragonfly(rate=40, burst=40, fetch=False)
    other = create_app(app.config, instance_path=str(tmp_path / "other"))
    try:
        execution = runs.start(session, policy(provider))
        for each in (app, other):
            each.extensions["preheat"].executions.wake()
        done = wait_for(session, execution.id, timeout=120)
    finally:
        release(other)
    failed = [t.status_message for t in session.scalars(select(Task).where(
        Task.execution_id == execution.id, Task.status != "Success"))]
    assert done.status == "Success", (done.status_message, failed[:3])
    assert len(provider.book.submissions) == 200
    assert set(provider.book.submissions.values()) == {1}


def _wait_tasks(session, execution, status, number, timeout=10.0):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        session.expire_all()
        if statuses(session, execution).get(status) == number:
            return
        session.commit()
        time.sleep(0.02)
    raise AssertionError(f"tasks: {statuses(session, execution)}")


@pytest.mark.parametrize("app_config", [{"PREHEAT_EXECUTION_RETENTION": 2}], indirect=True)
def test_starting_an_execution_keeps_only_the_newest_per_policy(app, session, images,
                                                                dragonfly, policy):
    row = policy(dragonfly())
    ids = [run_to_end(app, session, row).id for _ in range(3)]
    kept = list(session.scalars(select(Execution.id).where(Execution.policy_id == row.id)
                                .order_by(Execution.id)))
    assert kept == ids[1:]


def test_a_registry_unreachable_for_a_moment_is_read_again_and_the_tag_preheated(
        app, session, box, images, dragonfly, policy):
    images(["1.0"])
    provider = dragonfly()
    warm = policy(provider)
    address = urlsplit(images.registry.url)
    proxy = TcpProxy(address.hostname, address.port)
    try:
        registries.update(session, box, warm.project.image_registry,
                          {"url": f"http://127.0.0.1:{proxy.port}"})
        now = utcnow()
        execution = Execution(policy=warm, status="Running", trigger="manual",
                              stop_requested=False, created_at=now, start_time=now)
        session.add(Task(execution=execution, repository="library/app", tag="1.0"))
        session.commit()
        proxy.cut()
        app.extensions["preheat"].executions.wake()
        until = time.monotonic() + 20
        while "Trying again in" not in (message := _message(session, execution) or ""):
            assert time.monotonic() < until, message
            time.sleep(0.05)
        proxy.restore()
        done = wait_for(session, execution.id, timeout=30)
    finally:
        proxy.close()
    [task] = session.scalars(select(Task).where(Task.execution_id == execution.id))
    assert (done.status, task.status) == ("Success", "Success"), task.status_message
    assert "not submitted: The registry hub could not be read" in task.log
    assert list(provider.book.submissions.values()) == [1]


def test_a_registry_unreachable_for_a_moment_while_planning_is_read_again(
        app, session, box, images, dragonfly, policy):
    images(["1.0", "1.1"])
    provider = dragonfly()
    warm = policy(provider)
    address = urlsplit(images.registry.url)
    proxy = TcpProxy(address.hostname, address.port)
    try:
        registries.update(session, box, warm.project.image_registry,
                          {"url": f"http://127.0.0.1:{proxy.port}"})
        proxy.cut()
        execution = runs.start(session, warm)
        app.extensions["preheat"].executions.wake()
        until = time.monotonic() + 20
        while "Trying again in 1 s." not in (message := _said(session, execution) or ""):
            assert time.monotonic() < until, message
            time.sleep(0.05)
        assert message.startswith("The registry hub could not be read:")
        assert session.get(Execution, execution.id).status == "Pending"
        proxy.restore()
        done = wait_for(session, execution.id, timeout=30)
    finally:
        proxy.close()
    assert (done.status, done.status_message) == ("Success", "2 of 2 tasks succeeded.")
    assert sorted(provider.book.submissions.values()) == [1, 1]


def test_a_registry_that_stays_unreachable_ends_the_execution_once_read_again_three_times(
        app, session, box, images, dragonfly, policy):
    images(["1.0"])
    warm = policy(dragonfly())
    address = urlsplit(images.registry.url)
    proxy = TcpProxy(address.hostname, address.port)
    try:
        registries.update(session, box, warm.project.image_registry,
                          {"url": f"http://127.0.0.1:{proxy.port}"})
        proxy.cut()
        started = time.monotonic()
        done = run_to_end(app, session, warm, timeout=30)
    finally:
        proxy.close()
    assert time.monotonic() - started >= 1 + 2 + 4
    assert done.status == "Error" and "Trying again" not in done.status_message
    assert done.status_message.startswith("The registry hub could not be read:")


def _said(session, execution) -> str | None:
    found = session.scalar(select(Execution.status_message).where(
        Execution.id == execution.id))
    session.commit()
    return found


def _message(session, execution) -> str | None:
    found = session.scalar(select(Task.status_message).where(
        Task.execution_id == execution.id))
    session.commit()
    return found
