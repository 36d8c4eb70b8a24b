"""The dispatcher's rounds: an interval apart however long each one takes, and no more
claims than the runner's queue can take before the claims run out."""
import statistics
import time
from concurrent.futures import Future

import pytest

from preheat.engine import Engine
from preheat.engine.runner import ThreadRunner
from preheat.executions.dispatcher import MAX_QUEUED, POLLS_PER_ROUND, Dispatcher
from preheat.executions.settings import Settings
from preheat.models import Execution, Task, utcnow


class SlowRounds(Dispatcher):
    """A dispatcher whose every round finds work and takes `took` seconds."""

    def __init__(self, engine, settings, took: float):
        super().__init__(engine, settings)
        self.took, self.starts = took, []

    def round(self) -> int:
        self.starts.append(time.monotonic())
        time.sleep(self.took)
        return 1


def test_a_slow_round_does_not_stretch_the_interval_the_pacer_counts_on(app):
    # The pacer grants one interval's submissions a round: rounds 0.35 s apart
    # instead of 0.2 would submit at 4/7 of the rate.
    settings = Settings(poll_interval=1, poll_max_interval=1, job_deadline=60, submit_rate=10,
                        retention=5, dispatch_seconds=0.2, work_lease=120)
    engine = Engine(app, ThreadRunner(1))
    dispatcher = SlowRounds(engine, settings, took=0.15)
    dispatcher.start()
    time.sleep(2.5)
    dispatcher.shutdown()
    engine.shutdown()
    gaps = [later - earlier for earlier, later in zip(dispatcher.starts, dispatcher.starts[1:])]
    assert len(gaps) >= 5
    assert statistics.median(gaps) < 0.28, gaps


class BackedUp:
    """A runner whose queue holds `waiting` calls; it records what it is handed."""

    def __init__(self, waiting: int):
        self.waiting, self.handed = waiting, []

    def run(self, engine, name, args):
        self.handed.append(name)
        done = Future()
        done.set_result(None)
        return done

    def queued(self) -> int:
        return self.waiting

    def shutdown(self):
        pass


@pytest.mark.parametrize(("waiting", "claimed"), [
    (0, POLLS_PER_ROUND), (MAX_QUEUED - 30, 30), (MAX_QUEUED, 0), (MAX_QUEUED + 500, 0)])
def test_a_round_claims_no_more_polls_than_the_runners_queue_has_room_for(
        app, session, dragonfly, policy, waiting, claimed):
    now = utcnow()
    execution = Execution(policy=policy(dragonfly()), status="Running", trigger="manual",
                          stop_requested=False, created_at=now, start_time=now)
    session.add_all([Task(execution=execution, repository="library/app", tag=f"1.{n}",
                          status="Running", provider_job_id=str(n), start_time=now)
                     for n in range(POLLS_PER_ROUND + 50)])
    session.commit()
    runner = BackedUp(waiting)
    settings = Settings(poll_interval=1, poll_max_interval=1, job_deadline=60, submit_rate=10,
                        retention=5, dispatch_seconds=1, work_lease=120)
    dispatcher = Dispatcher(Engine(app, runner), settings)
    with app.app_context():
        dispatcher.round()
    held = session.query(Task).filter(Task.claimed_until.is_not(None)).count()
    assert (runner.handed.count("task.poll"), held) == (claimed, claimed)
