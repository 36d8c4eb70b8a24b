"""The webhook's side: classify the envelope's events and record each one once."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..models import Project, Registry, RegistryEvent, insert_new, utcnow
from ..registry import MANIFEST_TYPES, namespace_of


@dataclass
class Received:
    """How the events of one envelope were taken."""

    received: int = 0
    recorded: int = 0
    duplicates: int = 0
    ignored: int = 0


def why_ignored(event) -> str | None:
    """Why an event starts no preheat, or None for a tag push of a manifest."""
    target = event.target
    if event.action != "push":
        return f"a {event.action}, not a push"
    if target.mediaType not in MANIFEST_TYPES:
        return "a blob, not a manifest"
    if not target.tag:
        return "pushed by digest, without a tag"
    if not target.digest:
        return "the event names no digest"
    return None


def record(session, registry: Registry, events) -> Received:
    """Store the tag pushes of manifests, each event id once; commit; the counts."""
    counts = Received(received=len(events))
    covered = set(session.scalars(select(Project.name).where(
        Project.registry_id == registry.id)))
    now = utcnow()
    rows = []
    for event in events:
        reason = why_ignored(event)
        if reason is not None:
            counts.ignored += 1  # not kept: blob pushes and pulls are most of the traffic
            continue
        target = event.target
        status, note = "pending", None
        if namespace_of(target.repository) not in covered:
            status, note = "ignored", (f"No project covers {target.repository}: its namespace"
                                       f" {namespace_of(target.repository)} is not a project.")
        rows.append({"registry_id": registry.id, "event_id": event.id, "action": event.action,
                     "repository": target.repository, "tag": target.tag,
                     "digest": target.digest, "media_type": target.mediaType,
                     "actor": (event.actor.name or None) if event.actor else None,
                     "occurred_at": event.timestamp, "received_at": now, "status": status,
                     "note": note})
    if rows:
        inserted = _insert_new(session, rows)
        counts.duplicates = len(rows) - len(inserted)
        counts.recorded = sum(1 for row in rows if row["event_id"] in inserted
                              and row["status"] == "pending")
        counts.ignored += len(inserted) - counts.recorded
    session.commit()
    return counts


def _insert_new(session, rows: list[dict]) -> set[str]:
    """Insert the rows whose event id is new for the registry; the event ids inserted."""
    unique = {row["event_id"]: row for row in rows}  # an envelope may repeat an event
    statement = insert_new(session, RegistryEvent, ["registry_id", "event_id"]).returning(
        RegistryEvent.event_id)
    return set(session.scalars(statement, list(unique.values())))
