"""A real app process killed (SIGKILL) mid-execution: the next one ends the run, no tag sent twice.

The app runs as gunicorn processes of its own on the test's database (an
SQLite file, and PostgreSQL when TEST_DATABASE_URL is set); the registry and
the Dragonfly stand-in run in the test process, so the test sees every job
creation as it arrives.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from preheat.models import Execution, Task, utcnow
from preheat.executions import work
from tests.executions.conftest import dragonfly_instance, wait_for
from tests.executions.processes import Api

# Two submissions a second keep tags Pending while the first jobs run for
# JOB_SECONDS; a dead process's claims run out after a second.
SETTINGS = {"PREHEAT_SUBMIT_RATE": 2, "PREHEAT_WORK_LEASE": 1.0}
JOB_SECONDS = 3.0


def statuses(session, execution_id: int) -> dict[str, int]:
    session.expire_all()
    counted = dict(session.execute(select(Task.status, func.count()).where(
        Task.execution_id == execution_id).group_by(Task.status)).all())
    session.commit()
    return counted


def settled_mid_run(session, execution_id: int, book, timeout: float = 30.0) -> dict:
    """Wait until tags run and others wait, with every job that reached the provider stored.

    Killing then leaves no submission whose answer was lost: the provider
    holds exactly the jobs the database knows.
    """
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        counted = statuses(session, execution_id)
        stored = sum(n for status, n in counted.items() if status != "Pending")
        if counted.get("Running", 0) >= 2 and counted.get("Pending", 0) >= 3 \
                and book.attempts == stored:
            return counted
        time.sleep(0.005)
    raise AssertionError(f"tasks {statuses(session, execution_id)},"
                         f" {book.attempts} jobs sent")


# Every process the test starts paces alike: the app processes, and on Celery the worker.
@pytest.mark.parametrize("app_config", [SETTINGS], indirect=True)
def test_a_killed_process_leaves_its_tasks_to_the_next_which_submits_none_twice(
        app, session, box, images, dragonfly, served):
    digests = images([f"1.{n}" for n in range(8)])
    provider = dragonfly(delay=JOB_SECONDS)
    instance_id = dragonfly_instance(session, box, images.registry.url, provider.url)
    first = served(**SETTINGS)
    api = Api(first.url)
    api.create_policy(instance_id)
    execution_id = api.execute()

    at_kill = settled_mid_run(session, execution_id, provider.book)
    first.kill()
    sent_before = set(provider.book.submissions)
    unsent = {tag for tag, digest in digests.items()
              if not any(digest in url for url in sent_before)}
    assert len(unsent) == at_kill["Pending"]

    Api(served(**SETTINGS).url).get("/login")  # a new process, whose dispatcher takes over
    done = wait_for(session, execution_id, timeout=60)
    tasks = list(session.scalars(select(Task).where(Task.execution_id == execution_id)))
    assert done.status == "Success", [t.status_message for t in tasks if t.status != "Success"]
    assert {t.status for t in tasks} == {"Success"} and len(tasks) == 8
    assert all(t.end_time is not None for t in tasks)
    submitted = provider.book.submissions
    assert sorted(submitted.values()) == [1] * 8, submitted
    assert provider.book.attempts == 8
    for tag in unsent:
        [url] = [url for url in submitted if digests[tag] in url]
        assert url not in sent_before


def test_a_submission_under_way_when_its_process_died_is_not_sent_again(app, session, images,
                                                                         dragonfly, policy):
    images(["1.0", "1.1"])
    provider = dragonfly()
    now = utcnow()
    execution = Execution(policy=policy(provider), status="Running", trigger="manual",
                          stop_requested=False, created_at=now, start_time=now)
    died = now - timedelta(seconds=5)  # as the dead process left it: sending, claim run out
    session.add_all([Task(execution=execution, repository="library/app", tag="1.0",
                          start_time=died, claimed_until=died),
                     Task(execution=execution, repository="library/app", tag="1.1")])
    session.commit()
    app.extensions["preheat"].executions.wake()
    done = wait_for(session, execution.id)
    tasks = {t.tag: t for t in session.scalars(select(Task).where(
        Task.execution_id == execution.id))}
    assert done.status == "Error"
    assert tasks["1.0"].status == "Error"
    assert "stopped before the provider's answer was stored" in tasks["1.0"].status_message
    assert "may exist on the provider" in tasks["1.0"].status_message
    assert tasks["1.1"].status == "Success"
    assert provider.book.attempts == 1


def test_a_submission_sent_late_in_its_claim_keeps_the_task_until_its_answer_is_stored(
        app, session, images, dragonfly, policy):
    """A job that begins near the end of its claim (queued behind others) renews the
    claim as it sends: no other process takes the task while the slow answer comes."""
    images(["1.0"])
    provider = dragonfly(answer_delay=1.5)  # sent at 1.5 s of a 2 s claim, answered at 3 s
    now = utcnow()
    execution = Execution(policy=policy(provider), status="Running", trigger="manual",
                          stop_requested=False, created_at=now, start_time=now)
    session.add(Task(execution=execution, repository="library/app", tag="1.0"))
    session.commit()
    [task_id], until = work.claim(session, "Pending", 1, lease=2.0)
    taken = []

    def other_process():  # another dispatcher, once the first claim would have run out
        time.sleep(2.3)
        with app.app_context():
            taken.extend(work.claim(app.extensions["preheat"].session, "Pending", 1, 5.0)[0])
    other = threading.Thread(target=other_process)
    other.start()
    with app.app_context():
        status = work.submit(task_id, until.isoformat(), send_at=time.time() + 1.5)
    other.join()
    assert status == "Running" and taken == []
    assert list(provider.book.submissions.values()) == [1]
