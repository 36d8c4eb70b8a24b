"""Who checks a row (an instance, a registry), and storing what a check found.

Several processes (gunicorn workers, later Celery workers) may check health.
The database decides who checks a row: a process first claims it (the
engine's lease on `health_claimed_until`), so one row is checked by one
process at a time, and a row that already has a result newer than the
request, or may not be checked (a deactivated instance), is not checked at all.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import or_, update

from ..engine import Lease
from ..models import Instance, Registry
from ..providers import CheckResult

# What a check depends on: a result is dropped if any of these changed meanwhile.
COMPARED = ("endpoint", "auth_mode", "auth_secret", "insecure")


class Claims:
    """Claims and results of the health checks of one table's rows.

    `checkable` are the conditions a row must meet to be checked at all.
    """

    def __init__(self, model, *checkable):
        self.model = model
        self.checkable = checkable
        self.lease = Lease(model.health_claimed_until)

    def claim_many(self, session, row_ids, requested_at: datetime, lease: float):
        """Claim the rows this process may check; return the ids won and until when.

        A row is won if it is checkable, unclaimed (or its claim ran out) and
        has no result since `requested_at`; all in one transaction.
        """
        model = self.model
        return self.lease.claim(session, row_ids, lease, *self.checkable,
                                or_(model.health_checked_at.is_(None),
                                    model.health_checked_at < requested_at))

    def renew(self, session, row_id: int, claimed_until: datetime, lease: float):
        """Extend this process's claim for `lease` seconds; None if it is not ours any more."""
        return self.lease.renew(session, row_id, claimed_until, lease)

    @staticmethod
    def snapshot(row) -> SimpleNamespace:
        """What `record` compares to tell whether a row was edited during its check."""
        return SimpleNamespace(**{field: getattr(row, field) for field in COMPARED})

    def record(self, session, row_id: int, result: CheckResult, checked=None,
               claimed_until: datetime | None = None) -> bool:
        """Store `result` as the row's latest health and end its claim.

        With `checked` (a snapshot of the row when the check began), the result
        is dropped if the address or credentials changed meanwhile, or the row
        stopped being checkable; with `claimed_until`, if this process's claim
        ran out and another took it.
        """
        return self.record_many(session, [(row_id, result, checked, claimed_until)])[0]

    def record_many(self, session, results) -> list[bool]:
        """`record` for each (row_id, result, checked, claimed_until), in one transaction."""
        try:
            stored = [self._store(session, *item) for item in results]
            session.commit()
        except Exception:
            session.rollback()
            raise
        return stored

    def _store(self, session, row_id, result, checked, claimed_until) -> bool:
        model = self.model
        query = update(model).where(model.id == row_id)
        if checked is not None:
            query = query.where(*self.checkable, *(
                getattr(model, field).is_not_distinct_from(getattr(checked, field))
                for field in COMPARED))
        if claimed_until is not None:
            query = query.where(model.health_claimed_until == claimed_until)
        stored = session.execute(query.values(
            health_status=result.status, health_reason=result.reason,
            health_http_status=result.http_status, health_latency_ms=result.latency_ms,
            health_checked_at=result.checked_at, health_claimed_until=None,
        )).rowcount == 1
        if not stored:
            self.lease.release(session, row_id, claimed_until)
        return stored


INSTANCES = Claims(Instance, Instance.enabled.is_(True))
REGISTRIES = Claims(Registry)
# The instances' claims, as most callers want them.
LEASE = INSTANCES.lease
claim_many, renew, snapshot = INSTANCES.claim_many, INSTANCES.renew, INSTANCES.snapshot
record, record_many = INSTANCES.record, INSTANCES.record_many


def is_stale(row, ttl: float, now: datetime | None = None) -> bool:
    """Whether a checkable row's stored health is missing or older than `ttl`."""
    if not getattr(row, "enabled", True):
        return False
    if row.health_checked_at is None:
        return True
    now = now or datetime.now(timezone.utc)
    return now - row.health_checked_at > timedelta(seconds=ttl)


def is_claimed(row, now: datetime | None = None) -> bool:
    """Whether some process (this one or another) is checking the row now."""
    return Lease.held(row.health_claimed_until, now)


def has_result_since(row, since: datetime) -> bool:
    """Whether the stored result was produced at or after `since`."""
    return row.health_checked_at is not None and row.health_checked_at >= since
