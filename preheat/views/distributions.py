"""The Distributions page: the instance table, drawn from stored health at once."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, request, url_for

from ..state import current_state
from ..htmx import is_htmx, page_or_partial
from ..health import claims
from ..services.pages import PAGE_SIZES, TableSort, instance_page, search_text
from . import hints, status, table, urls


def register(bp) -> None:
    bp.add_url_rule("/", "index", list_instances)
    bp.add_url_rule("/distributions", "distributions", list_instances)
    bp.add_url_rule("/distributions/refresh", "refresh", refresh, methods=["POST"])
    status.register(bp)
    hints.register(bp)


def list_instances():
    """Show the instance table; stale health is re-checked in the background."""
    page = _current_page()
    now = datetime.now(timezone.utc)
    ttl = float(current_app.config["PREHEAT_HEALTH_TTL"])
    stale = [i.id for i in page.items if claims.is_stale(i, ttl, now)]
    status.health_checks().submit(stale, requested_at=now)
    return _table(page, stale, now)


def refresh():
    """Re-check every enabled instance on the page; rows update as results arrive."""
    page = _current_page()
    now = datetime.now(timezone.utc)
    checked = [i.id for i in page.items if i.enabled]
    status.health_checks().submit(checked, requested_at=now)
    return _table(page, checked, now)


def _current_page():
    size = request.values.get("page_size", type=int)
    if size not in PAGE_SIZES:
        size = current_app.config["PREHEAT_PAGE_SIZE"]
    session = current_state().session
    return instance_page(session, search_text(request.values.get("q")),
                         request.values.get("page", 1, type=int), size, _current_sort())


def _current_sort() -> TableSort:
    return TableSort.parse(request.values.get("sort"))


def _table(page, submitted, now):
    pending = status.pending_ids(page.items, submitted, now)
    query = search_text(request.values.get("q"))
    sort = _current_sort()
    base = url_for("preheat.distributions")
    response = page_or_partial("preheat/distributions.html", "preheat/_instances.html",
                               q=query, list_url=urls.with_base(base),
                               poll=status.Poll.start(pending, now),
                               head_html=table.head_html(sort, page.size, query, base),
                               paging_html=table.paging_html(page, sort, query, base),
                               rows_html=table.rows_html(page.items, pending, now))
    if is_htmx():
        # The address bar follows the table, so a reload or a shared link shows it again.
        response.headers["HX-Replace-Url"] = _list_url(base, page, query, sort)
    return response


def _list_url(base: str, page, query: str, sort: TableSort) -> str:
    """The page's own URL for this filter, page, page size and sort; defaults left out."""
    default_size = current_app.config["PREHEAT_PAGE_SIZE"]
    return urls.with_base(base)(q=query or None,
                                page=page.number if page.number > 1 else None,
                                page_size=None if page.size == default_size else page.size,
                                sort=None if sort.is_default else sort.param)
