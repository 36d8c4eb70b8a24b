"""Status badges: a row's Check now, and the poll that updates rows as results arrive.

Instances and registries both have one (`Checked` says where each lives). A
poll carries `since`, the moment the checks were asked for: a row is done
once its stored result is at least that recent. That holds whichever process
ran the check, so it works with several app processes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Callable

from flask import current_app, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from ..health import claims
from ..models import Instance, Registry
from ..services import instances, registries
from ..state import current_state
from . import urls

MAX_POLLS = 60
MAX_IDS = 100
FAST_POLLS = 10


@dataclass(frozen=True)
class Checked:
    """A kind of row with a live badge: its routes and its background checks."""

    name: str
    prefix: str  # of its routes: /<prefix>/<id>/status
    dom: str  # the badge's id is preheat-status-<dom><id>
    model: type
    get: Callable
    checks: Callable  # the HealthChecks of this kind, in the current app
    argument: str  # the id's name in the routes

    def rule(self, what: str) -> str:
        """The route's name in the blueprint: `status` for instances, `registry_status`."""
        return what if self.name == "instance" else f"{self.name}_{what}"

    def endpoint(self, what: str) -> str:
        return f"preheat.{self.rule(what)}"

    def check_url(self) -> Callable[[int], str]:
        return urls.per_instance(self.endpoint("check"), self.argument)

    def status_url(self) -> Callable[[int], str]:
        return urls.per_instance(self.endpoint("status"), self.argument)

    def checkable(self, row) -> bool:
        return getattr(row, "enabled", True)


INSTANCE = Checked("instance", "distributions", "", Instance, instances.get,
                   lambda: current_state().health, "instance_id")
REGISTRY = Checked("registry", "registries", "registry-", Registry, registries.get,
                   lambda: current_state().registry_health, "registry_id")


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
    for kind in (INSTANCE, REGISTRY):
        rule = f"/{kind.prefix}/<int:{kind.argument}>"
        bp.add_url_rule(f"{rule}/status", kind.rule("status"), partial(status, kind))
        bp.add_url_rule(f"/{kind.prefix}/statuses", kind.rule("statuses"),
                        partial(statuses, kind))
        bp.add_url_rule(f"{rule}/check", kind.rule("check"), partial(check_now, kind),
                        methods=["POST"])


def check_now(kind: Checked, **ids):
    """Check one row now; its badge asks for the result until it arrives."""
    row_id = ids[kind.argument]
    row = kind.get(current_state().session, row_id)
    now = datetime.now(timezone.utc)
    checkable = kind.checkable(row)
    if checkable:
        kind.checks().submit([row_id], requested_at=now)
    return _badge(kind, row, Poll.start([row_id], now) if checkable else None)


def status(kind: Checked, **ids):
    """One badge; while its check runs it asks again shortly."""
    row_id = ids[kind.argument]
    row = kind.get(current_state().session, row_id)
    poll = _poll_from_request([row_id])
    waiting = poll.count < MAX_POLLS and _waiting(kind, row, poll)
    return _badge(kind, row, poll if waiting else None)


def statuses(kind: Checked):
    """The badges whose results arrived, and the poll for the rows still being checked."""
    poll = _poll_from_request(request.args.getlist("id", type=int)[:MAX_IDS])
    rows = current_state().session.scalars(
        select(kind.model).where(kind.model.id.in_(poll.ids))).all()
    waiting = {r.id for r in rows if poll.count < MAX_POLLS and _waiting(kind, r, poll)}
    return render_template("preheat/_health_poll.html", kind=kind,
                           done=[r for r in rows if r.id not in waiting],
                           poll=Poll(tuple(sorted(waiting)), poll.since, poll.count),
                           now=datetime.now(timezone.utc))


def check_page(kind: Checked, items, everything: bool = False) -> tuple[list[int], datetime]:
    """Check a page's rows in the background: the stale ones, or with `everything` all
    that may be checked (Refresh); the ids submitted and when."""
    now = datetime.now(timezone.utc)
    ttl = float(current_app.config["PREHEAT_HEALTH_TTL"])
    ids = [row.id for row in items if (kind.checkable(row) if everything
                                        else claims.is_stale(row, ttl, now))]
    kind.checks().submit(ids, requested_at=now)
    return ids, now


def pending_ids(items, submitted, now: datetime, kind: Checked = INSTANCE) -> set[int]:
    """Rows being checked: just submitted, queued here, or claimed by any process."""
    pending = set(submitted)
    running = kind.checks().is_running
    for row in items:
        if kind.checkable(row) and (running(row.id) or claims.is_claimed(row, now)):
            pending.add(row.id)
    return pending


def health_checks():
    return current_state().health


def poll_html(kind: Checked, poll: Poll) -> Markup:
    """A table's health poll, with no badges yet (the table shows its rows)."""
    template = current_app.jinja_env.get_template("preheat/_health_poll.html")
    return Markup(template.render(kind=kind, poll=poll, done=(), preheat_poll_url=poll_url))


def poll_url(kind: Checked, poll: Poll) -> str:
    """Where the table's health poll asks next."""
    return url_for(kind.endpoint("statuses"), id=poll.ids, since=poll.since, poll=poll.count)


def _waiting(kind: Checked, row, poll: Poll) -> bool:
    since = datetime.fromtimestamp(poll.since / 1000, timezone.utc)
    return kind.checkable(row) and not claims.has_result_since(row, since)


def _poll_from_request(ids) -> Poll:
    now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
    since = request.args.get("since", now_ms, type=int)
    return Poll(tuple(ids), min(since, now_ms), request.args.get("poll", 0, type=int) + 1)


def _badge(kind: Checked, row, poll: Poll | None):
    return render_template("preheat/_status.html", kind=kind, row=row, pending=poll is not None,
                           self_poll=poll, now=datetime.now(timezone.utc))
