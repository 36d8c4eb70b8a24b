"""An execution's life: created at once, stopped, retried, ended, counted, kept or pruned."""
from __future__ import annotations

import json
import logging
from collections import Counter

from sqlalchemy import func, select, update

from ..logs import log_event
from ..models import ENDED, STATUSES, Execution, Policy, Task, utcnow
from ..services import audit
from ..services.errors import Conflict

AS_POLICY = {"object_type": "policy"}
WAITING = ("Pending", "Running")


def start(session, policy: Policy, trigger: str = "manual", detail: dict | None = None,
          retry_of: Execution | None = None) -> Execution:
    """Record a new Pending execution of `policy`; the dispatcher plans and runs it."""
    execution = add(session, policy, trigger, detail, retry_of)
    session.commit()
    return execution


def add(session, policy: Policy, trigger: str = "manual", detail: dict | None = None,
        retry_of: Execution | None = None) -> Execution:
    """Add a new Pending execution of `policy` to the caller's transaction, with its audit."""
    now = utcnow()
    execution = Execution(policy=policy, status="Pending", trigger=trigger,
                          trigger_detail=json.dumps(detail) if detail else None,
                          retry_of=retry_of.id if retry_of else None, stop_requested=False,
                          created_at=now)
    session.add(execution)
    session.flush()
    what = f"execution {execution.id} ({trigger})"
    if retry_of is not None:
        what += f", retrying the failed tasks of execution {retry_of.id}"
    audit.record(session, "execute", name=policy.name, object_id=policy.id, detail=what,
                 **AS_POLICY)
    return execution


def retry_failed(session, execution: Execution) -> Execution:
    """Start a new execution of only the Error tasks of an ended one."""
    if execution.status not in ENDED:
        raise Conflict("status", f"Execution {execution.id} is still {execution.status.lower()};"
                                 " retry it once it has ended.")
    failed = session.scalar(select(func.count()).select_from(Task).where(
        Task.execution_id == execution.id, Task.status == "Error"))
    if not failed:
        raise Conflict("status", f"Execution {execution.id} has no failed task to retry.")
    return start(session, execution.policy, execution.trigger, retry_of=execution)


def stop(session, execution: Execution) -> bool:
    """Stop an execution: pending tasks are never submitted, running ones no longer followed.

    False when it had already ended.
    """
    now = utcnow()
    stopped = session.execute(
        update(Execution).where(Execution.id == execution.id, Execution.status.in_(WAITING))
        .values(status="Stopped", stop_requested=True, end_time=now,
                status_message="Stopped by a user.")).rowcount == 1
    if not stopped:
        session.rollback()
        return False
    session.execute(update(Task).where(Task.execution_id == execution.id,
                                       Task.status.in_(WAITING))
                    .values(status="Stopped", end_time=now, updated_at=now,
                            status_message="Stopped with its execution.", claimed_until=None))
    audit.record(session, "stop", name=execution.policy.name, object_id=execution.policy_id,
                 detail=f"execution {execution.id}", **AS_POLICY)
    log_end(session, execution.id)
    session.commit()
    return True


def counts(session, execution_ids) -> dict[int, Counter]:
    """How many tasks of each execution are in each status."""
    result = {execution_id: Counter() for execution_id in execution_ids}
    if not result:
        return result
    rows = session.execute(select(Task.execution_id, Task.status, func.count())
                           .where(Task.execution_id.in_(list(result)))
                           .group_by(Task.execution_id, Task.status))
    for execution_id, status, number in rows:
        result[execution_id][status] = number
    return result


def finish_if_done(session, execution_id: int) -> str | None:
    """End a Running execution whose tasks have all ended; its final status, or None."""
    tally = counts(session, [execution_id])[execution_id]
    if any(tally[status] for status in WAITING):
        return None
    status = "Error" if tally["Error"] else "Stopped" if tally["Stopped"] else "Success"
    total = sum(tally.values())
    message = f"{tally['Success']} of {total} tasks succeeded." if total else \
        "Nothing to preheat: no tag matches the policy's filters."
    ended = session.execute(
        update(Execution).where(Execution.id == execution_id, Execution.status == "Running")
        .values(status=status, end_time=utcnow(), status_message=message)).rowcount == 1
    if ended:
        log_end(session, execution_id, tally)
    session.commit()
    return status if ended else None


def fail(session, execution_id: int, reason: str) -> None:
    """End an execution that could not run as Error, with the reason; tasks left end too."""
    now = utcnow()
    failed = session.execute(update(Execution).where(Execution.id == execution_id,
                                                     Execution.status.in_(WAITING))
                             .values(status="Error", status_message=reason, end_time=now,
                                     start_time=func.coalesce(Execution.start_time, now),
                                     claimed_until=None)).rowcount == 1
    if failed:
        log_end(session, execution_id)
    session.commit()


def log_end(session, execution_id: int, tally: Counter | None = None) -> None:
    """Log an execution's end, in the transaction that ends it (so the line comes first):
    which run of which policy, how it ended, its tasks, its time."""
    execution = session.get(Execution, execution_id, populate_existing=True)
    if execution is None:
        return
    tally = tally if tally is not None else counts(session, [execution_id])[execution_id]
    began = execution.start_time or execution.created_at
    seconds = (execution.end_time - began).total_seconds() if execution.end_time else None
    policy = execution.policy
    log_event("execution.end", logging.WARNING if execution.status == "Error" else logging.INFO,
              execution=execution_id, policy=policy.name, project=policy.project.name,
              trigger=execution.trigger, status=execution.status, tasks=sum(tally.values()),
              succeeded=tally["Success"], failed=tally["Error"], stopped=tally["Stopped"],
              seconds=round(seconds, 3) if seconds is not None else None,
              message=execution.status_message)


def prune(session, policy_id: int, keep: int) -> int:
    """Delete the policy's ended executions beyond the newest `keep` (their tasks with them)."""
    newest = (select(Execution.id).where(Execution.policy_id == policy_id)
              .order_by(Execution.id.desc()).limit(keep))
    old = list(session.scalars(select(Execution.id).where(
        Execution.policy_id == policy_id, Execution.status.in_(ENDED),
        Execution.id.not_in(newest.scalar_subquery()))))
    if old:
        session.execute(update(Execution).where(Execution.retry_of.in_(old))
                        .values(retry_of=None))
        session.execute(Task.__table__.delete().where(Task.execution_id.in_(old)))
        session.execute(Execution.__table__.delete().where(Execution.id.in_(old)))
    session.commit()
    return len(old)


__all__ = ["STATUSES", "start", "add", "retry_failed", "stop", "counts", "finish_if_done", "fail",
           "log_end", "prune"]
