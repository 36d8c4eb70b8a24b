"""Submissions to one provider instance are paced across processes: the pace is on its row."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preheat.executions.pacing import BURST_SECONDS, Pacer, Slots, grant
from preheat.models import Instance, Task
from preheat.services import instances
from tests.executions.conftest import dragonfly_instance, wait_for
from tests.executions.processes import Api
from tests.providers.preheats import Clock


NOW = 1_800_000_000.0  # an epoch time: the pace is kept in wall-clock seconds


def test_a_rested_instance_takes_half_a_seconds_worth_at_once_then_one_per_interval():
    assert grant(None, NOW, 10, 50) == (6, NOW + 0.6)
    assert grant(NOW + 0.6, NOW + 0.05, 10, 5) == (0, NOW + 0.6)
    assert grant(NOW + 0.6, NOW + 0.1, 10, 5) == (1, pytest.approx(NOW + 0.7))
    assert grant(None, NOW, 1, 50) == (1, NOW + 1)


def test_no_more_than_wanted_and_a_pace_in_the_past_counts_from_now():
    assert grant(None, NOW, 10, 3) == (3, pytest.approx(NOW + 0.3))
    assert grant(NOW - 50, NOW, 10, 1) == (1, pytest.approx(NOW + 0.1))


def test_asking_all_the_time_gets_the_rate_and_one_burst_no_more():
    tat, now, total = None, NOW, 0
    while now < NOW + 10.0:
        granted, tat = grant(tat, now, 7.0, 100)
        total += granted
        now += 0.013
    assert 7 * 10 <= total <= 7 * (10 + BURST_SECONDS) + 1


def test_rounds_a_second_apart_get_the_full_rate_with_a_seconds_lead():
    without, with_lead, tat_a, tat_b = 0, 0, None, None
    for second in range(20):
        granted, tat_a = grant(tat_a, NOW + second, 10, 100)
        without += granted
        granted, tat_b = grant(tat_b, NOW + second, 10, 100, lead=1.0)
        with_lead += granted
    assert without == 20 * 6  # half a second's burst plus one, each round
    assert 10 * 20 <= with_lead <= 10 * (20 + 1 + BURST_SECONDS) + 1


def test_slots_leave_one_interval_apart_after_the_burst():
    slots = Slots(16, start=NOW, rate=10, now=NOW)
    times = [slots.at(i) for i in range(16)]
    assert times[:6] == [NOW] * 6
    assert times[6:] == pytest.approx([NOW + 0.1 * k for k in range(1, 11)])


@pytest.fixture
def instance_id(session, box):
    return instances.create(session, box, {"vendor": "kraken", "name": "kr",
                                           "endpoint": "http://127.0.0.1:9"}).id


def test_two_processes_share_one_pace(session, instance_id):
    clock = Clock(NOW)
    one, two = Pacer(10, clock), Pacer(10, clock)
    assert one.take(session, instance_id, 10) == 6
    assert two.take(session, instance_id, 10) == 0
    total = 0
    for _ in range(50):  # five seconds, each process asking every 0.1 s
        clock.advance(0.05)
        total += one.take(session, instance_id, 10)
        clock.advance(0.05)
        total += two.take(session, instance_id, 10)
    assert total == 50


def test_a_429_slows_every_process_down_and_accepted_submissions_win_the_rate_back(
        session, instance_id):
    clock = Clock(NOW)
    one, two = Pacer(10, clock), Pacer(10, clock)
    one.take(session, instance_id, 10)
    one.slow_down(session, instance_id)
    assert session.get(Instance, instance_id).submit_rate == 5
    clock.advance(0.1)  # the burst is emptied: the next one after 1/5 s
    assert two.take(session, instance_id, 10) == 0
    clock.advance(0.1)
    assert two.take(session, instance_id, 10) == 1
    clock.advance(10)  # rested: half a second's worth at the slower rate
    assert two.take(session, instance_id, 10) == 3
    for _ in range(10):
        two.accepted(session, instance_id)
    session.expire_all()
    assert session.get(Instance, instance_id).submit_rate == pytest.approx(6)
    for _ in range(40):
        one.accepted(session, instance_id)
    session.expire_all()
    assert session.get(Instance, instance_id).submit_rate is None


def test_submissions_taken_but_not_started_go_back(session, instance_id):
    pacer = Pacer(10, Clock(NOW))
    assert pacer.take(session, instance_id, 10) == 6
    assert pacer.take(session, instance_id, 10) == 0
    pacer.give_back(session, instance_id, 4)
    assert pacer.take(session, instance_id, 10) == 4


def test_two_app_processes_stay_within_the_providers_limit_and_submit_each_tag_once(
        app, session, box, images, dragonfly, served):
    """The proof of "two app processes run one execution of 200 tags" too, in real processes."""
    rate, tags = 20, 200
    images([f"t{n}" for n in range(tags)])
    provider = dragonfly(rate=rate, burst=rate, fetch=False)
    instance_id = dragonfly_instance(session, box, images.registry.url, provider.url)
    first, second = served(PREHEAT_SUBMIT_RATE=rate), served(PREHEAT_SUBMIT_RATE=rate)
    api = Api(first.url)
    Api(second.url).get("/login")
    api.create_policy(instance_id)
    done = wait_for(session, api.execute(), timeout=120)
    failed = [t.status_message for t in session.scalars(select(Task).where(
        Task.execution_id == done.id, Task.status != "Success"))]
    assert done.status == "Success", (done.status_message, failed[:3])
    assert session.scalar(select(func.count()).select_from(Task).where(
        Task.execution_id == done.id)) == tags
    book = provider.book
    assert len(book.submissions) == tags and set(book.submissions.values()) == {1}
    assert book.refusals <= 3, f"{book.refusals} submissions were refused with 429"
    times = sorted(book.allowed_times)
    achieved = (len(times) - rate * BURST_SECONDS - 1) / (times[-1] - times[0])
    assert achieved <= rate * 1.05, f"{achieved:.1f} submissions a second"


def test_a_reservation_covers_the_lead_and_its_slots_follow_the_pace(session, instance_id):
    clock = Clock(NOW)
    pacer = Pacer(10, clock, lead=1.0)
    assert pacer.per_round() == 16
    first = pacer.reserve(session, instance_id, pacer.per_round())
    assert first.count == 16 and first.at(15) == pytest.approx(NOW + 1.0)
    clock.advance(1.0)
    second = pacer.reserve(session, instance_id, pacer.per_round())
    assert second.count == 10
    assert second.at(0) == pytest.approx(NOW + 1.1)
    assert second.at(9) == pytest.approx(NOW + 2.0)
