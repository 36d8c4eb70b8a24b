"""Two app replicas (separate gunicorn processes) on one PostgreSQL database.

Schedules fire once however many replicas tick, and a burst of push events
split between the replicas (each also resent to the other, as a registry
retries) gives the executions one replica would have made. With
PREHEAT_TEST_CELERY=1 the replicas send their jobs to two Celery workers.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select, update

from preheat.models import Execution, Policy, Task, utcnow
from preheat.services import webhooks
from tests.events.conftest import ENVELOPE
from tests.events.test_push_runs_policy import envelope
from tests.executions.conftest import wait_for
from tests.executions.test_schedules import far_from_now, scheduled

POLICIES = 12
TAGS = 20
pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                       reason="replicas share a PostgreSQL database (TEST_DATABASE_URL)"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


@pytest.fixture
def replicas(app, app_config, served, celery_worker):
    """Two replicas of the app, and with Celery a second worker next to the first."""
    if app_config.get("PREHEAT_CELERY_BROKER_URL"):
        celery_worker()
    settings = {"PREHEAT_SCHEDULE_TICK_SECONDS": 0.2, "PREHEAT_EVENT_BATCH_SECONDS": 2.0}
    return served(**settings), served(**settings)


def executions_by_policy(session) -> dict[int, int]:
    session.expire_all()
    counted = dict(session.execute(select(Execution.policy_id, func.count())
                                   .group_by(Execution.policy_id)).all())
    session.commit()
    return counted


def test_two_replicas_fire_each_due_schedule_once(app, session, dragonfly, policy, replicas):
    first, cron = policy(dragonfly()), far_from_now()
    rows = [scheduled(session, first, cron)]
    for n in range(1, POLICIES):
        copy = Policy(name=f"warm-{n}", project=first.project, instance=first.instance)
        session.add(copy)
        session.commit()
        rows.append(scheduled(session, copy, cron))
    # Due now, for both replicas' tickers at once.
    session.execute(update(Policy).values(next_run_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    until = time.monotonic() + 30
    while len(executions_by_policy(session)) < POLICIES:
        assert time.monotonic() < until, executions_by_policy(session)
        time.sleep(0.1)
    time.sleep(1.5)  # several more ticks of each replica
    assert executions_by_policy(session) == {row.id: 1 for row in rows}
    for execution in session.scalars(select(Execution)):
        assert execution.trigger == "scheduled"


def test_a_push_burst_split_between_replicas_makes_the_executions_of_one(
        app, session, box, images, dragonfly, policy, replicas):
    digests = images([f"1.{n}" for n in range(TAGS)])
    provider = dragonfly()
    warm = policy(provider, trigger="event_based")
    secret = webhooks.generate(session, box, warm.project.image_registry)
    session.commit()
    headers = {"Content-Type": ENVELOPE, "Authorization": webhooks.header_value(secret)}
    path = f"/api/v2.0/registries/{warm.project.registry_id}/events"
    bodies = [envelope(tag=tag, digest=digest) for tag, digest in digests.items()]

    def deliver(n: int) -> list[int]:
        """Event n to one replica, then resent to the other (a retried delivery)."""
        order = replicas if n % 2 else replicas[::-1]
        return [requests.post(each.url + path, json=bodies[n], headers=headers,
                              timeout=10).status_code for each in order]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(deliver, range(TAGS)))
    assert answers == [[200, 200]] * TAGS

    until = time.monotonic() + 60
    while not executions_by_policy(session):
        assert time.monotonic() < until, "no execution of the burst"
        time.sleep(0.1)
    [execution] = session.scalars(select(Execution))
    done = wait_for(session, execution.id, timeout=60)
    assert (done.status, done.trigger) == ("Success", "event_based")
    tasks = list(session.scalars(select(Task).where(Task.execution_id == done.id)))
    assert sorted((t.tag, t.digest) for t in tasks) == sorted(digests.items())
    assert len(provider.book.submissions) == TAGS
    assert set(provider.book.submissions.values()) == {1}
    time.sleep(2.5)  # a batch window later, still the one execution
    assert executions_by_policy(session) == {warm.id: 1}
