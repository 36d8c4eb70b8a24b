"""The Distributions page: the instance table, drawn from stored health at once."""
from __future__ import annotations

from ..services.pages import INSTANCES
from . import hints, listing, status, table

# A reload of an unchanged table (the same rows, as the same page) joins kept HTML.
TABLE = listing.Table("preheat.distributions", INSTANCES, table.COLUMNS,
                      "preheat/distributions.html", "preheat/_instances.html", "Distributions",
                      kept_partials=64)


def register(bp) -> None:
    bp.add_url_rule("/", "index", list_instances)
    bp.add_url_rule("/distributions", "distributions", list_instances)
    bp.add_url_rule("/distributions/refresh", "refresh", refresh, methods=["POST"])
    status.register(bp)
    hints.register(bp)


def list_instances():
    """Show the instance table; stale health is re-checked in the background."""
    page = listing.current_page(TABLE)
    return _table(page, *status.check_page(status.INSTANCE, page.items))


def refresh():
    """Re-check every enabled instance on the page; rows update as results arrive."""
    page = listing.current_page(TABLE)
    return _table(page, *status.check_page(status.INSTANCE, page.items, everything=True))


def _table(page, submitted, now):
    pending = status.pending_ids(page.items, submitted, now)
    poll = status.poll_html(status.INSTANCE, status.Poll.start(pending, now))
    return listing.render(TABLE, page, table.rendered(table.rows(page.items, pending, now)),
                          health_poll=poll)
