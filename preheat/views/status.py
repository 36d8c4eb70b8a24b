"""Status badges: a row's Check now, and the poll that updates rows as results arrive.

A poll carries `since`, the moment the checks were asked for: a row is done
once its stored result is at least that recent. That holds whichever process
ran the check, so it works with several app processes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask import render_template, request
from sqlalchemy import select

from ..state import current_state
from ..models import Instance
from ..health import claims
from ..services import instances

MAX_POLLS = 60
MAX_IDS = 100
FAST_POLLS = 10


@dataclass(frozen=True)
class Poll:
    """What the browser sends back when it asks again: ids, since (ms) and a count."""

    ids: tuple[int, ...]
    since: int
    count: int = 0

    @classmethod
    def start(cls, ids, since: datetime) -> Poll:
        return cls(tuple(sorted(ids)), int(since.timestamp() * 1000))

    @property
    def delay(self) -> int:
        """Seconds until the next ask: quick at first, then every two seconds."""
        return 1 if self.count < FAST_POLLS else 2


def register(bp) -> None:
    bp.add_url_rule("/distributions/<int:instance_id>/status", "status", status)
    bp.add_url_rule("/distributions/statuses", "statuses", statuses)
    bp.add_url_rule("/distributions/<int:instance_id>/check", "check", check_now,
                    methods=["POST"])


def check_now(instance_id: int):
    """Check one instance now; its badge asks for the result until it arrives."""
    instance = instances.get(current_state().session, instance_id)
    now = datetime.now(timezone.utc)
    if instance.enabled:
        health_checks().submit([instance_id], requested_at=now)
    poll = Poll.start([instance_id], now) if instance.enabled else None
    return _badge(instance, poll)


def status(instance_id: int):
    """One badge; while its check runs it asks again shortly."""
    instance = instances.get(current_state().session, instance_id)
    poll = _poll_from_request([instance_id])
    waiting = poll.count < MAX_POLLS and _waiting(instance, poll)
    return _badge(instance, poll if waiting else None)


def statuses():
    """The badges whose results arrived, and the poll for the rows still being checked."""
    poll = _poll_from_request(request.args.getlist("id", type=int)[:MAX_IDS])
    rows = current_state().session.scalars(select(Instance).where(Instance.id.in_(poll.ids))).all()
    waiting = {i.id for i in rows if poll.count < MAX_POLLS and _waiting(i, poll)}
    return render_template("preheat/_health_poll.html",
                           done=[i for i in rows if i.id not in waiting],
                           poll=Poll(tuple(sorted(waiting)), poll.since, poll.count),
                           now=datetime.now(timezone.utc))


def pending_ids(items, submitted, now: datetime) -> set[int]:
    """Rows being checked: just submitted, queued here, or claimed by any process."""
    pending = set(submitted)
    running = health_checks().is_running
    for instance in items:
        if instance.enabled and (running(instance.id) or claims.is_claimed(instance, now)):
            pending.add(instance.id)
    return pending


def health_checks():
    return current_state().health


def _waiting(instance: Instance, poll: Poll) -> bool:
    since = datetime.fromtimestamp(poll.since / 1000, timezone.utc)
    return instance.enabled and not claims.has_result_since(instance, since)


def _poll_from_request(ids) -> Poll:
    now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
    since = request.args.get("since", now_ms, type=int)
    return Poll(tuple(ids), min(since, now_ms), request.args.get("poll", 0, type=int) + 1)


def _badge(instance: Instance, poll: Poll | None):
    return render_template("preheat/_status.html", instance=instance, pending=poll is not None,
                           self_poll=poll, now=datetime.now(timezone.utc))
