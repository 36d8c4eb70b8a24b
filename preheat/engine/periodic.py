"""Periodic work: fired once per due time, however many processes tick.

Each piece of periodic work has a row with its next due time. A process whose
ticker finds it due moves the due time on with a compare-and-swap (an UPDATE
that names the due time it read); the one process whose UPDATE matched runs
the work. A process that was down over several due times runs it once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..models import PeriodicRun
from ..state import current_state
from .lease import utcnow


@dataclass(frozen=True)
class Periodic:
    """`run()` every `every`, inside the app's context; the first run is due at once."""

    name: str
    every: timedelta
    work: Callable[[], object]

    @property
    def job_name(self) -> str:
        return f"periodic.{self.name}"

    def run(self):
        return self.work()

    def take_turn(self, now: datetime | None = None) -> bool:
        """Whether this process won the due run (and moved the due time on)."""
        session = current_state().session
        now = now or utcnow()
        try:
            due = session.scalar(select(PeriodicRun.next_run_at)
                                 .where(PeriodicRun.name == self.name))
            if due is None:
                return self._first_run(session, now)
            if due > now:
                return False
            won = session.execute(
                update(PeriodicRun).where(PeriodicRun.name == self.name,
                                          PeriodicRun.next_run_at == due)
                .values(next_run_at=now + self.every, last_run_at=now)).rowcount == 1
            session.commit()
            return won
        finally:
            session.close()

    def _first_run(self, session, now: datetime) -> bool:
        session.add(PeriodicRun(name=self.name, next_run_at=now + self.every, last_run_at=now))
        try:
            session.commit()
        except IntegrityError:  # another process made the row, and so took this turn
            session.rollback()
            return False
        return True
