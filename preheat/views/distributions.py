"""The Distributions page: the instance table, drawn from stored health at once."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app

from ..services.pages import INSTANCES
from . import hints, listing, status, table

TABLE = listing.Table("preheat.distributions", INSTANCES, table.COLUMNS,
                      "preheat/distributions.html", "preheat/_instances.html", "Distributions")


def register(bp) -> None:
    bp.add_url_rule("/", "index", list_instances)
    bp.add_url_rule("/distributions", "distributions", list_instances)
    bp.add_url_rule("/distributions/refresh", "refresh", refresh, methods=["POST"])
    status.register(bp)
    hints.register(bp)


def list_instances():
    """Show the instance table; stale health is re-checked in the background."""
    page = listing.current_page(TABLE)
    now = datetime.now(timezone.utc)
    stale = status.submit_stale(status.INSTANCE, page.items, now,
                                float(current_app.config["PREHEAT_HEALTH_TTL"]))
    return _table(page, stale, now)


def refresh():
    """Re-check every enabled instance on the page; rows update as results arrive."""
    page = listing.current_page(TABLE)
    now = datetime.now(timezone.utc)
    checked = [i.id for i in page.items if i.enabled]
    status.health_checks().submit(checked, requested_at=now)
    return _table(page, checked, now)


def _table(page, submitted, now):
    pending = status.pending_ids(page.items, submitted, now)
    return listing.render(TABLE, page, table.rows(page.items, pending, now),
                          poll=status.Poll.start(pending, now), kind=status.INSTANCE)
