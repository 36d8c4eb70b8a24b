"""The dispatcher's side: turn a registry's pending pushes into executions, a batch at a time.

A registry's pending events form one batch once none has arrived for
PREHEAT_EVENT_BATCH_SECONDS (or the oldest has waited ten times that, so a
registry pushed to without pause still gets its executions). The batch's
events are claimed (pending -> processed) in the same transaction that
adds the executions: two processes never both take an event, and an event
is never taken without its executions. Each matching event-based policy
gets one execution whose tasks are exactly the pushed tags, each with the
digest its newest push gave it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ..executions import runs
from ..models import Policy, Project, RegistryEvent, utcnow
from ..policies.filters import parse, relative_name
from ..registry import namespace_of
from ..services import audit
from ..validation import FieldError

TRIGGER = "event_based"
# However busy a registry is, its oldest pending push waits at most this many batch spans.
LONGEST_WAIT = 10
# The events an execution's trigger detail lists; its tasks still hold every pushed tag.
DETAIL_EVENTS = 100


def due_registries(session, batch_seconds: float, now: datetime | None = None):
    """(registries whose batch is due, whether any event is still pending at all)."""
    now = now or utcnow()
    rows = session.execute(select(RegistryEvent.registry_id, func.min(RegistryEvent.received_at),
                                  func.max(RegistryEvent.received_at))
                           .where(RegistryEvent.status == "pending")
                           .group_by(RegistryEvent.registry_id)).all()
    session.commit()
    quiet = now - timedelta(seconds=batch_seconds)
    waited = now - timedelta(seconds=batch_seconds * LONGEST_WAIT)
    return [registry_id for registry_id, first, last in rows
            if last <= quiet or first <= waited], bool(rows)


def process(session, registry_id: int, now: datetime | None = None) -> list[int]:
    """Claim the registry's pending events and start their executions; the new ids."""
    events = list(session.scalars(select(RegistryEvent).where(
        RegistryEvent.registry_id == registry_id, RegistryEvent.status == "pending",
        RegistryEvent.received_at <= (now or utcnow())).order_by(RegistryEvent.id)))
    if not events:
        session.commit()
        return []
    claimed = session.execute(update(RegistryEvent).where(
        RegistryEvent.id.in_([event.id for event in events]),
        RegistryEvent.status == "pending").values(status="processed")
        .execution_options(synchronize_session=False)).rowcount
    if claimed != len(events):  # another process is taking (some of) them
        session.rollback()
        return []
    started = [execution.id for execution in _start(session, registry_id, events)]
    session.commit()
    return started


def _start(session, registry_id: int, events: list[RegistryEvent]) -> list:
    """Match each event to its project's event-based policies; one execution per policy."""
    policies = _policies(session, registry_id)
    batches: dict[int, dict] = {}
    for event in events:
        event.status = "processed"
        namespace = namespace_of(event.repository)
        if namespace not in policies:
            _ignore(event, f"No project covers {event.repository}: its namespace {namespace}"
                           " is not a project.")
            continue
        matched = [policy for policy, repositories, tags in policies[namespace]
                   if repositories.matches(relative_name(namespace, event.repository))
                   and tags.matches(event.tag)]
        if not matched:
            _ignore(event, f"No event-based policy of project {namespace} matches"
                           f" {event.repository}:{event.tag}.")
        for policy in matched:
            batch = batches.setdefault(policy.id, {"policy": policy, "tags": {}, "events": []})
            earlier = batch["tags"].get((event.repository, event.tag))
            if earlier is None or _newer(event, earlier):
                batch["tags"][(event.repository, event.tag)] = event
            batch["events"].append(event)
    return [execution for batch in batches.values()
            if (execution := _run(session, batch["policy"], list(batch["tags"].values()),
                                  batch["events"])) is not None]


def _policies(session, registry_id: int) -> dict[str, list]:
    """{project name: [(policy, repositories filter, tags filter)]} of event-based policies."""
    found: dict[str, list] = {}
    rows = session.execute(select(Project.name, Policy).join(Policy.project).where(
        Project.registry_id == registry_id, Policy.trigger == TRIGGER).order_by(Policy.id))
    for project, policy in rows:
        try:
            filters = parse("repositories", policy.repositories), parse("tags", policy.tags)
        except FieldError:  # stored before a rule tightened: it matches nothing
            continue
        found.setdefault(project, []).append((policy, *filters))
    return found


def _run(session, policy: Policy, newest: list, every: list):
    """One execution of `policy` for its pushed tags; for a deactivated one, an audit line.

    `newest` holds the newest push of each tag, `every` all the batch's events.
    """
    names = ", ".join(f"{event.repository}:{event.tag}" for event in newest[:10])
    if len(newest) > 10:
        names += f" and {len(newest) - 10} more"
    if not policy.enabled:
        audit.record(session, "execute", name=policy.name, object_id=policy.id,
                     object_type="policy", outcome="failure",
                     detail=f"not run for the push of {names}: the policy is deactivated")
        for event in every:
            event.note = _joined(event.note, f"Policy {policy.name} is deactivated: not run.")
        return None
    detail = {"events": [_described(event) for event in every[:DETAIL_EVENTS]],
              "events_total": len(every),
              "artifacts": [{"repository": event.repository, "tag": event.tag,
                             "digest": event.digest, "media_type": event.media_type}
                            for event in newest]}
    execution = runs.add(session, policy, TRIGGER, detail)
    for event in every:
        event.execution_id = event.execution_id or execution.id
        event.note = _joined(event.note, f"Execution {execution.id} of policy {policy.name}.")
    return execution


def _newer(event: RegistryEvent, than: RegistryEvent) -> bool:
    if event.occurred_at and than.occurred_at and event.occurred_at != than.occurred_at:
        return event.occurred_at > than.occurred_at
    return event.id > than.id


def _described(event: RegistryEvent) -> dict:
    """An event as an execution's trigger detail names it."""
    return {"id": event.event_id, "repository": event.repository, "tag": event.tag,
            "digest": event.digest,
            "time": event.occurred_at.isoformat() if event.occurred_at else None,
            "user": event.actor}


def _ignore(event: RegistryEvent, why: str) -> None:
    event.status, event.note = "ignored", why


def _joined(note: str | None, more: str) -> str:
    return f"{note} {more}" if note else more
