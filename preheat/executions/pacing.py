"""Submission pacing shared by every process: each provider instance's pace is on its row.

The row keeps a GCRA "theoretical arrival time" (`submit_tat`, epoch seconds):
when the next submission would be due had every earlier one come exactly on
time at the current rate. Submissions may run up to BURST_SECONDS ahead of
it, so a rested instance takes half a second's worth at once, then one every
1/rate seconds: the provider's own limiter (Dragonfly's allows a second's
worth at once) keeps the other half to absorb the jitter between the moment a
submission is paced and the moment it arrives. A process takes its share with a compare-and-swap UPDATE
(only if the row still holds what it read), so all processes together stay
within the rate. A 429 halves the rate on the row (`submit_rate`, NULL when
it is the configured one), so every process slows down together; each accepted
submission wins a little of it back. The clocks of the processes must agree
(one machine, or NTP): the times are wall-clock times.

A dispatcher that looks every `lead` seconds takes that much more at once,
each submission with the moment it may be sent (`Slots.at`): the submissions
then leave one every 1/rate seconds between rounds instead of all at a
round's start, and the rate is used to the full however far apart rounds are.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import case, select, update

from ..models import Instance

BURST_SECONDS = 0.5
MIN_RATE = 1.0
# Submissions a second won back by each accepted one, after a 429.
RECOVERY = 0.1
# Compare-and-swap attempts before a round gives up (another process took its turn).
ATTEMPTS = 3


def grant(tat: float | None, now: float, rate: float, wanted: int,
          lead: float = 0.0) -> tuple[int, float]:
    """How many of `wanted` submissions may start by `now + lead`, and the arrival time
    after them."""
    start = now if tat is None else max(tat, now)
    # A microsecond of slack, so that rounding never costs a whole submission.
    ahead = now + BURST_SECONDS + lead - start + 1e-6
    granted = 0 if ahead < 0 else min(wanted, int(ahead * rate) + 1)
    return granted, start + granted / rate


@dataclass(frozen=True)
class Slots:
    """`count` submissions taken from the pace; the i-th may be sent at `at(i)`."""

    count: int
    start: float = 0.0
    rate: float = 1.0
    now: float = 0.0

    def at(self, i: int) -> float:
        """The wall-clock time the i-th submission may be sent: its arrival time, less
        the burst the provider absorbs; never before the moment they were taken."""
        return max(self.now, self.start + i / self.rate - BURST_SECONDS)


NONE = Slots(0)


class Pacer:
    """At most `rate` submissions a second to each provider instance, across all processes.

    `lead`: how far ahead of now each `reserve` takes submissions (the interval
    between the caller's rounds)."""

    def __init__(self, rate: float, clock=time.time, lead: float = 0.0):
        self.rate = max(float(rate), MIN_RATE)
        self.clock = clock
        self.lead = max(0.0, float(lead))

    def per_round(self) -> int:
        """The most submissions one round can be granted: what a caller should ask for."""
        return int(self.rate * (self.lead + BURST_SECONDS)) + 1

    def take(self, session, instance_id: int, wanted: int) -> int:
        """How many of `wanted` submissions may start now (and are counted as started)."""
        return self.reserve(session, instance_id, wanted).count

    def reserve(self, session, instance_id: int, wanted: int) -> Slots:
        """Up to `wanted` submissions, each with the moment it may be sent."""
        for _ in range(ATTEMPTS):
            read = self._read(session, instance_id)
            if read is None:
                return NONE
            now, rate = self.clock(), self._current(read[1])
            granted, tat = grant(read[0], now, rate, wanted, self.lead)
            if not granted:
                return NONE
            if self._swap(session, instance_id, read, submit_tat=tat):
                return Slots(granted, tat - granted / rate, rate, now)
        return NONE

    def give_back(self, session, instance_id: int, unused: int) -> None:
        """Submissions taken but not started (no task left to claim) go back to the pace."""
        read = self._read(session, instance_id)
        if read is None or read[0] is None:
            return
        session.execute(update(Instance).where(Instance.id == instance_id).values(
            submit_tat=Instance.submit_tat - unused / self._current(read[1])))
        session.commit()

    def slow_down(self, session, instance_id: int) -> None:
        """The provider turned a submission away as too many: halve the rate; the next one
        waits for one interval of it."""
        for _ in range(ATTEMPTS):
            read = self._read(session, instance_id)
            if read is None:
                return
            now = self.clock()
            slower = max(MIN_RATE, self._current(read[1]) / 2)
            tat = max(read[0] or now, now + BURST_SECONDS + 1 / slower)
            if self._swap(session, instance_id, read, submit_tat=tat, submit_rate=slower):
                return

    def accepted(self, session, instance_id: int) -> None:
        """A submission went through: win back RECOVERY submissions a second, up to `rate`."""
        slowed = session.scalar(select(Instance.submit_rate).where(Instance.id == instance_id))
        if slowed is not None:
            faster = Instance.submit_rate + RECOVERY
            session.execute(update(Instance).where(
                Instance.id == instance_id, Instance.submit_rate.is_not(None)).values(
                submit_rate=case((faster >= self.rate - 1e-9, None), else_=faster)))
        session.commit()

    def _current(self, stored: float | None) -> float:
        return self.rate if stored is None else max(MIN_RATE, min(stored, self.rate))

    @staticmethod
    def _read(session, instance_id: int) -> tuple | None:
        row = session.execute(select(Instance.submit_tat, Instance.submit_rate)
                              .where(Instance.id == instance_id)).one_or_none()
        session.commit()
        return None if row is None else tuple(row)

    @staticmethod
    def _swap(session, instance_id: int, read: tuple, **values) -> bool:
        """Write `values` only if the row still holds the pace `read` from it."""
        swapped = session.execute(update(Instance).where(
            Instance.id == instance_id,
            Instance.submit_tat.is_not_distinct_from(read[0]),
            Instance.submit_rate.is_not_distinct_from(read[1])).values(values)).rowcount == 1
        session.commit()
        return swapped
