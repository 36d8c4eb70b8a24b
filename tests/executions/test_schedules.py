"""Scheduled policies: fired once per due time by whichever process ticks, late runs said so."""
import json
import threading
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from app import create_app
from preheat.executions import schedules
from preheat.models import AuditEntry, Execution, Policy, utcnow
from preheat.services import policies
from tests.helpers import release

TICK = 15.0


def fire(app, now) -> list[int]:
    """One schedule tick of `app` at the time `now`."""
    with app.app_context():
        return schedules.fire_due(app.extensions["preheat"].session, now, TICK)


def scheduled(session, row, cron="0 * * * *", zone="UTC") -> Policy:
    policies.update(session, row, {"trigger": "scheduled", "schedule": cron, "timezone": zone})
    session.refresh(row)
    return row


def far_from_now() -> str:
    """A daily schedule whose next time is about half a day away: a test on the
    live clock that fires a policy once is not fired again by the schedule itself."""
    return f"0 {(utcnow().hour + 12) % 24} * * *"


def executions_of(session, row) -> list[Execution]:
    session.expire_all()
    return list(session.scalars(select(Execution).where(Execution.policy_id == row.id)
                                .order_by(Execution.id)))


def test_saving_a_schedule_sets_its_next_run_time_in_the_policys_zone(session, dragonfly,
                                                                      policy):
    row = scheduled(session, policy(dragonfly()), "30 3 * * *", "Europe/Berlin")
    local = row.next_run_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (3, 30)
    assert timedelta(0) < row.next_run_at - utcnow() <= timedelta(days=1)
    policies.update(session, row, {"trigger": "scheduled", "schedule": "0 0 2 * * *",
                                   "timezone": "UTC"})
    assert (row.next_run_at.hour, row.next_run_at.minute, row.schedule) == (2, 0, "0 0 2 * * *")


def test_a_scheduled_policy_fires_at_its_due_time_once(app, session, dragonfly, policy):
    row = scheduled(session, policy(dragonfly()))
    due = row.next_run_at
    assert fire(app, due - timedelta(seconds=1)) == []
    [execution_id] = fire(app, due)
    assert fire(app, due) == [] and fire(app, due + timedelta(minutes=30)) == []
    [execution] = executions_of(session, row)
    assert (execution.id, execution.trigger) == (execution_id, "scheduled")
    detail = json.loads(execution.trigger_detail)
    assert detail["due_at"] == due.isoformat() and detail["late_seconds"] == 0
    assert "late" not in detail
    session.refresh(row)
    assert row.next_run_at == due + timedelta(hours=1)


def test_a_process_down_over_three_due_times_runs_once_on_return_marked_late(
        app, session, dragonfly, policy):
    row = scheduled(session, policy(dragonfly()))
    due = row.next_run_at
    back = due + timedelta(hours=3, minutes=2, seconds=10)  # due, +1 h, +2 h, +3 h missed
    assert len(fire(app, back)) == 1
    assert fire(app, back + timedelta(minutes=5)) == []
    [execution] = executions_of(session, row)
    detail = json.loads(execution.trigger_detail)
    assert detail["late"] == "late by 3 h 2 min"
    assert detail["late_seconds"] == 3 * 3600 + 130
    session.refresh(row)
    assert row.next_run_at == due + timedelta(hours=4)  # the next after now, not after `due`


def test_switching_to_manual_stops_it_firing(app, session, dragonfly, policy):
    row = scheduled(session, policy(dragonfly()))
    due = row.next_run_at
    policies.update(session, row, {"trigger": "manual"})
    assert (row.next_run_at, row.schedule) == (None, None)
    assert fire(app, due + timedelta(days=2)) == []
    assert executions_of(session, row) == []


def test_a_due_time_of_a_deactivated_policy_leaves_a_line_in_the_audit_log(
        app, session, dragonfly, policy):
    row = scheduled(session, policy(dragonfly()))
    due = row.next_run_at
    policies.set_enabled(session, [row], False)
    assert fire(app, due) == []
    assert executions_of(session, row) == []
    entry = session.scalars(select(AuditEntry).where(AuditEntry.outcome == "failure")).one()
    assert (entry.action, entry.object_name, entry.username) == ("execute", "warm", "system")
    assert entry.detail == (f"Scheduled run due at {due:%Y-%m-%d %H:%M} UTC not started:"
                            " the policy is deactivated.")
    policies.set_enabled(session, [row], True)
    assert len(fire(app, due + timedelta(hours=1))) == 1  # enabled again: the next one runs


def test_a_scheduled_run_on_a_deactivated_provider_is_an_error_execution_saying_why(
        app, session, dragonfly, policy):
    from tests.executions.conftest import deactivate, wait_for
    row = scheduled(session, policy(dragonfly()))
    deactivate(session, row.instance)
    [execution_id] = fire(app, row.next_run_at)
    done = wait_for(session, execution_id)
    assert (done.status, done.trigger) == ("Error", "scheduled")
    assert "provider instance df is deactivated" in done.status_message


@pytest.mark.parametrize("app_config", [{"PREHEAT_HTTP_TIMEOUT": 10.0}], indirect=True)
def test_two_processes_ticking_at_the_same_due_time_start_each_policy_once(
        app, session, dragonfly, policy, tmp_path):
    first = scheduled(session, policy(dragonfly()))
    rows = [first] + [scheduled(session, _copy(session, first, f"warm-{n}"))
                      for n in range(11)]
    session.execute(update(Policy).values(next_run_at=first.next_run_at))
    session.commit()
    due = first.next_run_at
    other = create_app(app.config, instance_path=str(tmp_path / "other"))
    started, barrier = [], threading.Barrier(2)

    def tick(each):
        barrier.wait(5)
        started.append(fire(each, due))
    try:
        threads = [threading.Thread(target=tick, args=(each,)) for each in (app, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        release(other)
    assert len(started) == 2 and sum(len(ids) for ids in started) == len(rows)
    assert session.scalar(select(func.count()).select_from(Execution)) == len(rows)
    counts = session.execute(select(Execution.policy_id, func.count())
                             .group_by(Execution.policy_id)).all()
    assert {number for _, number in counts} == {1} and len(counts) == len(rows)


@pytest.mark.parametrize("app_config", [{"PREHEAT_SCHEDULE_TICK_SECONDS": 0.05}],
                         indirect=True)
def test_the_engines_ticker_fires_a_due_policy_without_any_page_asking(
        app, session, dragonfly, policy):
    row = scheduled(session, policy(dragonfly()), far_from_now())
    session.execute(update(Policy).values(next_run_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    app.test_client().get("/login")  # the first request starts the ticker
    until = time.monotonic() + 10
    while not executions_of(session, row):
        assert time.monotonic() < until, "the due policy was not fired"
        session.rollback()
        time.sleep(0.05)
    [execution] = executions_of(session, row)
    assert execution.trigger == "scheduled"


def _copy(session, row, name) -> Policy:
    copy = Policy(name=name, project=row.project, instance=row.instance)
    session.add(copy)
    session.commit()
    return copy


def test_the_executions_grid_says_a_scheduled_run_was_late(app, admin, session, dragonfly,
                                                           policy):
    row = scheduled(session, policy(dragonfly()))
    fire(app, row.next_run_at + timedelta(hours=3, minutes=2, seconds=10))
    page = admin.get("/projects/library/preheat").get_data(as_text=True)
    assert "<td>Scheduled, late by 3 h 2 min</td>" in page
