"""Executions on real Celery workers: a worker SIGKILLed mid-run, the broker going away.

Run only with PREHEAT_TEST_CELERY=1 (make test's second run): the jobs go to
the local Redis and real `celery -A preheat.worker worker` processes run them.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, update

from preheat.models import Execution, Instance, Task, utcnow
from tests.executions import workers
from tests.executions.conftest import PAT, wait_for
from tests.providers import dragonfly as dragonfly_standin
from tests.registry.fixtures import pusher_for
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(not workers.ENABLED,
                                reason="Celery runs only: PREHEAT_TEST_CELERY=1")
TAGS = 2000
POLICIES = "/api/v2.0/projects/library/preheat/policies"
# Fast submissions (the stand-in allows more), claims of a killed worker run
# out after 10 s, and its unacknowledged tasks come back after 10 s.
CHAOS = {"PREHEAT_SUBMIT_RATE": 80, "PREHEAT_WORK_LEASE": 10.0,
         "PREHEAT_CELERY_VISIBILITY_TIMEOUT": 10, "PREHEAT_DISPATCH_SECONDS": 0.1,
         "PREHEAT_POLL_INTERVAL": 1.0, "PREHEAT_POLL_MAX_INTERVAL": 2.0}


def counts(session, execution_id: int) -> dict[str, int]:
    session.expire_all()
    counted = dict(session.execute(select(Task.status, func.count()).where(
        Task.execution_id == execution_id).group_by(Task.status)).all())
    session.commit()
    return counted


def sending(session, execution_id: int) -> int:
    """Pending tasks claimed for a submission (queued, or on its way to the provider)
    whose outcome is not stored yet."""
    found = session.scalar(select(func.count()).where(
        Task.execution_id == execution_id, Task.status == "Pending",
        Task.claimed_until > utcnow()))
    session.commit()
    return found


def pace(session, instance_id: int, tat: float | None) -> None:
    """Hold every process's submissions to the instance (a pace far ahead), or free them."""
    session.execute(update(Instance).where(Instance.id == instance_id).values(submit_tat=tat))
    session.commit()


@pytest.mark.parametrize("app_config", [CHAOS], indirect=True)
def test_a_worker_killed_mid_run_leaves_its_tasks_to_the_other_and_none_is_sent_twice(
        app, session, admin, images, policy, started, celery_worker):
    digests = pusher_for(images.registry).images(
        "library/app", [f"v{n}" for n in range(TAGS)], concurrency=8)
    provider = started(dragonfly_standin.serve, tokens={PAT: "active"}, rate=200, delay=5.0,
                       fetch=False)
    book = provider.state["jobs"]
    warm = policy(provider)
    doomed = celery_worker()  # a second worker, next to the one `app` started
    response = admin.post(f"{POLICIES}/warm", htmx=False)
    assert response.status_code == 201, response.get_data(as_text=True)
    execution_id = response.get_json()["id"]

    until = time.monotonic() + 90
    while time.monotonic() < until:  # a third of the tags submitted, the rest waiting
        counted = counts(session, execution_id)
        if sum(n for status, n in counted.items() if status != "Pending") >= TAGS // 3:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"tasks {counts(session, execution_id)}")
    # Hold submissions until every one sent has its answer stored: the kill
    # then loses no provider answer (such a task would rightly end as Error,
    # "may exist on the provider"); the killed worker is busy polling.
    pace(session, warm.instance_id, time.time() + 3600)
    until = time.monotonic() + 30
    while sending(session, execution_id):
        assert time.monotonic() < until, "submissions still claimed after 30 s"
        time.sleep(0.02)
    at_kill = counts(session, execution_id)
    assert at_kill.get("Pending", 0) > TAGS // 3 and at_kill.get("Running", 0) > 0, at_kill
    doomed.kill()
    pace(session, warm.instance_id, None)

    done = wait_for(session, execution_id, timeout=240)  # 2,000 tags on one worker, 2 cores
    tasks = list(session.scalars(select(Task).where(Task.execution_id == execution_id)))
    assert done.status == "Success", {t.status_message for t in tasks if t.status != "Success"}
    assert len(tasks) == TAGS and {t.status for t in tasks} == {"Success"}
    submitted = book.submissions
    assert len(submitted) == TAGS and set(submitted.values()) == {1}, \
        [url for url, n in submitted.items() if n != 1]
    assert book.attempts - book.refusals == TAGS
    assert all(any(digest in url for url in submitted) for digest in
               list(digests.values())[:50])


@pytest.fixture
def proxy():
    cut_off = TcpProxy(workers.REDIS_HOST, workers.REDIS_PORT)
    yield cut_off
    cut_off.close()


@pytest.fixture
def broker(broker, proxy):
    """The test's broker, reached through a TCP proxy the test can cut."""
    return broker.replace(f":{workers.REDIS_PORT}/", f":{proxy.port}/")


def test_with_the_broker_down_execute_answers_503_pages_serve_and_all_resumes(
        app, session, admin, images, policy, dragonfly, proxy):
    images(["1.0"])
    warm = policy(dragonfly())
    execute = f"{POLICIES}/warm"
    now = utcnow()
    failed = Execution(policy=warm, status="Error", trigger="manual", stop_requested=False,
                       created_at=now, start_time=now, end_time=now)
    session.add(Task(execution=failed, repository="library/app", tag="1.0", status="Error"))
    session.commit()
    proxy.cut()
    began = time.monotonic()
    response = admin.post(execute, htmx=False)
    assert response.status_code == 503, response.get_data(as_text=True)
    [error] = response.get_json()["errors"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert "broker is unreachable" in error["message"] and "not started" in error["message"]
    assert time.monotonic() - began < 10
    retry = admin.post(f"/projects/library/preheat/executions/{failed.id}/retry", htmx=True)
    assert retry.status_code == 409
    assert "broker is unreachable" in retry.headers["HX-Trigger"]
    assert session.scalar(select(func.count()).select_from(Execution)) == 1
    began = time.monotonic()
    page = admin.get("/projects/library/preheat")
    assert page.status_code == 200 and "warm" in page.get_data(as_text=True)
    assert time.monotonic() - began < 5
    assert admin.get("/distributions").status_code == 200

    proxy.restore()
    until = time.monotonic() + 30
    while True:  # the runner tries the broker again a few seconds after a failure
        response = admin.post(execute, htmx=False)
        if response.status_code == 201 or time.monotonic() > until:
            break
        assert response.status_code == 503
        time.sleep(0.5)
    assert response.status_code == 201, response.get_data(as_text=True)
    done = wait_for(session, response.get_json()["id"], timeout=60)
    assert done.status == "Success"
    assert warm.id == done.policy_id
