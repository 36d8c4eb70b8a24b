"""The instance table as it reads: its headers and its rows, worked out before rendering.

The template only places ready values; deciding them here once per row costs
a fraction of what the same decisions cost as template expressions. A row's
HTML depends on nothing but the instance's stored values, whether it is
being checked and the wording of how long ago it was checked ("12 s ago"), so
rendered rows are kept, keyed by those: a page of rows that did not change
since the last request is joined, not rendered.
The header row and the paging are kept the same way, keyed by what they show.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Callable, NamedTuple

from flask import current_app
from jinja2 import Template
from markupsafe import Markup

from ..services.pages import PAGE_SIZES, Page, TableSort
from ..state import current_state
from . import urls
from .presenters import (HealthView, auth_label, checked_ago, checked_health,
                         format_datetime, provider_name)

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
HEAD_TEMPLATE = "preheat/_instance_head.html"
PAGING_TEMPLATE = "preheat/_instance_paging.html"
# Rows kept per process: a few pages of the largest size for each of a few sorts.
CACHED_ROWS = 2048
# Header rows and pagings kept: one per sort, filter, page and page size in use.
CACHED_PARTS = 256


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


def headers(sort: TableSort, size: int, query: str, list_url: Callable[..., str]):
    """The column headers for a table in `sort` order, `size` rows a page, filtered by `query`."""
    result = []
    for label, field, class_ in COLUMNS:
        if field is None:
            result.append(SortHeader(label, None, class_, None, "", ""))
            continue
        aria = sort.aria(field)
        url = list_url(q=query or None, page=1, page_size=size,
                       sort=sort.after_click(field).param)
        result.append(SortHeader(label, field, class_, aria, url, ARROWS.get(aria, "")))
    return result


def row(instance, pending: bool, checked: str, check_url: str) -> InstanceRow:
    """The row for `instance`, checked `checked` ('5 s ago'); `pending` if being checked."""
    return InstanceRow(
        instance.id, instance.name, instance.is_default, instance.enabled,
        provider_name(instance.vendor), instance.endpoint, auth_label(instance.auth_mode),
        instance.description or "", instance.setup_timestamp.isoformat(),
        format_datetime(instance.setup_timestamp), checked_health(instance, checked, pending),
        pending, check_url if instance.enabled else None)


def head_html(sort: TableSort, size: int, query: str, base: str) -> Markup:
    """The header row for the table at list URL `base`."""
    return _parts().head(_template(HEAD_TEMPLATE), sort, size, query, base)


def paging_html(page: Page, sort: TableSort, query: str, base: str) -> Markup:
    """The page size choice and the pager for `page` of the table at list URL `base`."""
    return _parts().paging(_template(PAGING_TEMPLATE), page.number, page.size, page.total,
                           sort, query, base)


def rows_html(items, pending: set[int], now: datetime) -> Markup:
    """The HTML of the rows for `items` at `now`; `pending` are the ids being checked.

    A row is rendered once per distinct value of what it shows: the instance,
    whether it is being checked, how long ago it was checked and its URL.
    """
    template, render = _template(ROW_TEMPLATE), _parts().row
    check_url = urls.per_instance("preheat.check")
    return Markup("\n".join([
        render(template, instance, instance.id in pending, checked_ago(instance, now),
                    check_url(instance.id))
        for instance in items]))


class RenderedParts:
    """One app's rendered rows, header rows and pagings, each kept by what it shows.

    Kept per app rather than per process: a template holds its app, and a
    cache of the whole process would keep alive every app it served. Keyed by
    the template too, so that a template reloaded while debugging is used.
    """

    def __init__(self) -> None:
        self.row = lru_cache(maxsize=CACHED_ROWS)(_render_row)
        self.head = lru_cache(maxsize=CACHED_PARTS)(_render_head)
        self.paging = lru_cache(maxsize=CACHED_PARTS)(_render_paging)


def _parts() -> RenderedParts:
    state = current_state()
    if state.table_parts is None:  # two threads may both make one: either will do
        state.table_parts = RenderedParts()
    return state.table_parts


def _template(name: str) -> Template:
    return current_app.jinja_env.get_template(name)


def _render_row(template: Template, instance, pending: bool, checked: str,
                check_url: str) -> Markup:
    return Markup(template.render(row=row(instance, pending, checked, check_url)))


def _render_head(template: Template, sort: TableSort, size: int, query: str,
                 base: str) -> Markup:
    return Markup(template.render(headers=headers(sort, size, query, urls.with_base(base))))


def _render_paging(template: Template, number: int, size: int, total: int, sort: TableSort,
                   query: str, base: str) -> Markup:
    return Markup(template.render(page=Page([], total, number, size), sort=sort, q=query,
                                  page_sizes=PAGE_SIZES, list_url=urls.with_base(base)))
