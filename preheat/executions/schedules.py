"""The schedule tick: scheduled policies whose next run time has come are started, once each.

Every process ticks. A due policy is fired by the process whose
compare-and-swap UPDATE of the policy's next_run_at (naming the due time it
read) matched; the new execution is stored in that same transaction, so a
due time gives one execution however many processes tick. The next run time
is the schedule's next time after *now*: a process that was down over several
due times runs the policy once when it is back, and the execution says how late.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..engine import Periodic
from ..engine.lease import utcnow
from ..models import Execution, Policy
from ..policies.schedule import DEFAULT_ZONE, check_cron, lateness
from ..services import audit
from ..state import current_state
from ..validation import FieldError
from . import runs

log = logging.getLogger(__name__)
AS_POLICY = {"object_type": "policy"}
# Policies fired per tick at most; any left are fired by the next tick.
PER_TICK = 200


def periodic(tick_seconds: float) -> Periodic:
    """The tick as the engine's periodic work, every `tick_seconds`."""
    def tick():
        return fire_due(current_state().session, utcnow(), tick_seconds)
    return Periodic("schedules", timedelta(seconds=tick_seconds), tick)


def fire_due(session, now: datetime, tick_seconds: float) -> list[int]:
    """Fire the scheduled policies due at `now`; the ids of the executions started."""
    due = session.execute(select(Policy.id, Policy.next_run_at).where(
        Policy.trigger == "scheduled", Policy.next_run_at <= now)
        .order_by(Policy.next_run_at, Policy.id).limit(PER_TICK)).all()
    session.rollback()
    started = []
    for policy_id, due_at in due:
        execution = _fire(session, policy_id, due_at, now, tick_seconds)
        if execution is not None:
            started.append(execution.id)
    if started:
        current_state().executions.wake()
    return started


def _fire(session, policy_id: int, due_at: datetime, now: datetime,
          tick_seconds: float) -> Execution | None:
    """Take the due run of one policy; None when another process took it or it cannot run."""
    policy = session.get(Policy, policy_id, populate_existing=True)
    if policy is None:
        return None
    zone = policy.timezone or DEFAULT_ZONE
    try:
        following = check_cron(policy.schedule).next_after(now, zone)
    except (FieldError, ValueError, KeyError) as error:
        following, problem = None, getattr(error, "message", "unknown time zone")
    else:
        problem = None
    won = session.execute(update(Policy).where(
        Policy.id == policy_id, Policy.trigger == "scheduled", Policy.next_run_at == due_at)
        .values(next_run_at=following)).rowcount == 1
    if not won:
        session.rollback()
        return None
    late = max((now - due_at).total_seconds(), 0.0)
    due_text = due_at.strftime("%Y-%m-%d %H:%M UTC")
    if problem is not None or not policy.enabled:
        why = "the policy is deactivated" if problem is None else \
            f"its schedule cannot be read ({problem}); it is stopped until saved again"
        audit.record(session, "execute", name=policy.name, object_id=policy.id,
                     outcome="failure", detail=f"Scheduled run due at {due_text} not started:"
                                               f" {why}.", **AS_POLICY)
        session.commit()
        return None
    detail = {"due_at": due_at.isoformat(), "schedule": policy.schedule, "timezone": zone,
              "late_seconds": int(late)}
    if late > 2 * tick_seconds:
        detail["late"] = f"late by {lateness(late)}"
    execution = runs.start(session, policy, "scheduled", detail)  # commits the swap with it
    log.info("scheduled run of policy %s due at %s started as execution %s%s", policy.id,
             due_text, execution.id, f", {detail['late']}" if "late" in detail else "")
    return execution
