"""A table as it reads: its headers and the instance rows, worked out before rendering.

The template only places ready values; deciding them here once per row costs
a fraction of what the same decisions cost as template expressions. A row's
HTML depends on nothing but its values, so each distinct row is rendered once
and kept: a reload of rows that read as before joins their HTML.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Callable, NamedTuple

from flask import current_app
from jinja2 import Template
from markupsafe import Markup

from ..services.pages import Page, TableSort
from ..state import current_state
from . import urls
from .presenters import HealthView, auth_label, format_datetime, health, provider_name

# (label, sort field or None, class of the header cell), left to right.
COLUMNS = (
    ("Name", "name", ""),
    ("Provider", "vendor", ""),
    ("Endpoint", "endpoint", ""),
    ("Status", "status", ""),
    ("Enabled", "enabled", ""),
    ("Auth mode", "auth_mode", "preheat-nowrap"),
    ("Description", None, ""),
    ("Setup timestamp", "setup_timestamp", "preheat-nowrap"),
)
ARROWS = {"ascending": "▲", "descending": "▼"}
ROW_TEMPLATE = "preheat/_instance_row.html"
# Rendered rows kept per app: a few pages of the largest size, for a few sorts.
KEPT_ROWS = 2048


class SortHeader(NamedTuple):
    """A column header; one with a `field` sorts the table by it, a second click reverses."""

    label: str
    field: str | None
    class_: str
    aria: str | None
    url: str
    arrow: str


class InstanceRow(NamedTuple):
    """One row of the instance table, each value as the row shows it."""

    id: int
    name: str
    is_default: bool
    enabled: bool
    provider: str
    endpoint: str
    auth: str
    description: str
    setup_iso: str
    setup_text: str
    health: HealthView
    pending: bool
    check_url: str | None


def headers(sort: TableSort, page: Page, query: str, list_url: Callable[..., str],
            columns=COLUMNS):
    """The headers of `columns` for a table in `sort` order, filtered by `query`."""
    result = []
    for label, field, class_ in columns:
        if field is None:
            result.append(SortHeader(label, None, class_, None, "", ""))
            continue
        aria = sort.aria(field)
        url = list_url(q=query or None, page=1, page_size=page.size,
                       sort=sort.after_click(field).param)
        result.append(SortHeader(label, field, class_, aria, url, ARROWS.get(aria, "")))
    return result


def rows(items, pending: set[int], now: datetime) -> list[InstanceRow]:
    """The rows for `items`; `pending` are the ids being checked."""
    check_url = urls.per_instance("preheat.check")
    result = []
    for instance in items:
        is_pending = instance.id in pending
        result.append(InstanceRow(
            instance.id, instance.name, instance.is_default, instance.enabled,
            provider_name(instance.vendor), instance.endpoint, auth_label(instance.auth_mode),
            instance.description or "", instance.setup_timestamp.isoformat(),
            format_datetime(instance.setup_timestamp), health(instance, now, is_pending),
            is_pending, check_url(instance.id) if instance.enabled else None))
    return result


def rendered(rows: list[InstanceRow]) -> list[Markup]:
    """The HTML of `rows`; a row that reads as one rendered before is given that one's."""
    template = current_app.jinja_env.get_template(ROW_TEMPLATE)
    render = _kept_rows()
    return [render(template, row) for row in rows]


def _kept_rows() -> Callable[[Template, InstanceRow], Markup]:
    # Kept per app, not per process: a template holds its app, which a cache of
    # the process would keep alive. Keyed by the template too, so a template
    # reloaded while debugging renders its rows anew.
    state = current_state()
    if state.table_rows is None:  # two threads may each make one: either will do
        state.table_rows = lru_cache(maxsize=KEPT_ROWS)(_render_row)
    return state.table_rows


def _render_row(template: Template, row: InstanceRow) -> Markup:
    return Markup(template.render(row=row))
