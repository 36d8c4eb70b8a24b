"""Claims on work items: a claim-deadline column that the database arbitrates.

A process claims rows with a conditional UPDATE: it wins the rows whose claim
is empty or ran out (and that meet the job's own conditions), so two
processes never claim one row. The claim is a lease: it ends with the work,
or on its own when its deadline passes (the process died).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, select, update


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Lease:
    """Claims on the rows of one table, kept in `column` (a nullable timestamp)."""

    column: object  # e.g. Instance.health_claimed_until

    @property
    def model(self):
        return self.column.class_

    def free(self, now: datetime):
        """The condition of a row nobody holds: never claimed, or its claim ran out."""
        return or_(self.column.is_(None), self.column < now)

    def claim(self, session, ids, seconds: float, *conditions) -> tuple[list[int], datetime]:
        """Claim the free rows among `ids` that meet `conditions`; return (ids won, until)."""
        now = utcnow()
        until = now + timedelta(seconds=seconds)
        model = self.model
        claimable = (self.free(now), *conditions)
        ids = sorted(set(ids))
        if session.get_bind().dialect.update_returning:
            # Rows are locked in id order (FOR UPDATE where the database has row
            # locks), so processes claiming overlapping batches cannot deadlock.
            ordered = (select(model.id).where(model.id.in_(ids), *claimable)
                       .order_by(model.id).with_for_update())
            won = list(session.scalars(
                update(model).where(model.id.in_(ordered.scalar_subquery()), *claimable)
                .values({self.column.key: until}).returning(model.id)
                .execution_options(synchronize_session=False)))
        else:
            won = [row_id for row_id in ids if session.execute(
                update(model).where(model.id == row_id, *claimable)
                .values({self.column.key: until})).rowcount == 1]
        session.commit()
        return sorted(won), until

    def renew(self, session, row_id: int, until: datetime, seconds: float):
        """Extend our claim by `seconds` from now; None if the claim is not ours any more."""
        new_until = utcnow() + timedelta(seconds=seconds)
        renewed = session.execute(
            update(self.model).where(self.model.id == row_id, self.column == until)
            .values({self.column.key: new_until})).rowcount == 1
        session.commit()
        return new_until if renewed else None

    def release(self, session, row_id: int, until: datetime | None = None) -> None:
        """End a claim (with `until`, only if it is still ours); the caller commits."""
        query = update(self.model).where(self.model.id == row_id)
        if until is not None:
            query = query.where(self.column == until)
        session.execute(query.values({self.column.key: None}))

    @staticmethod
    def held(until: datetime | None, now: datetime | None = None) -> bool:
        """Whether a claim that ends at `until` is still running."""
        return until is not None and until > (now or utcnow())
