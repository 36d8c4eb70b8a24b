"""The dispatcher's rounds start an interval apart, however long each one takes."""
import statistics
import time

from preheat.engine import Engine
from preheat.engine.runner import ThreadRunner
from preheat.executions.dispatcher import Dispatcher
from preheat.executions.settings import Settings


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
