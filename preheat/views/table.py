"""A table as it reads: its headers and the instance rows, worked out before rendering.

The template only places ready values; deciding them here once per row costs
a fraction of what the same decisions cost as template expressions. A row's
HTML depends on nothing but its values, so each distinct row is rendered once
and kept: a reload of rows that read as before joins their HTML.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup

from ..services.pages import TableSort
from . import kept, urls
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


@lru_cache(maxsize=256)
def headers(sort: TableSort, size: int, query: str, list_url: urls.QueryURL,
            columns=COLUMNS) -> tuple[SortHeader, ...]:
    """The headers of `columns` for a table in `sort` order, `size` rows a page, filtered
    by `query`; made once for each (plain values: kept for every app alike)."""
    result = []
    for label, field, class_ in columns:
        if field is None:
            result.append(SortHeader(label, None, class_, None, "", ""))
            continue
        aria = sort.aria(field)
        url = list_url(q=query or None, page=1, page_size=size,
                       sort=sort.after_click(field).param)
        result.append(SortHeader(label, field, class_, aria, url, ARROWS.get(aria, "")))
    return tuple(result)


def rows(items, pending: set[int], now: datetime) -> list[InstanceRow]:
    """The rows for `items`; `pending` are the ids being checked."""
    check_url = urls.per_instance("preheat.check")
    return [_row(instance, instance.id in pending, checked_ago(instance, now),
                 check_url(instance.id) if instance.enabled else None)
            for instance in items]


def rendered(rows: list[InstanceRow]) -> list[Markup]:
    """The HTML of `rows`; a row that reads as one rendered before is given that one's."""
    return kept.render_each(ROW_TEMPLATE, KEPT_ROWS, [{"row": row} for row in rows])


@lru_cache(maxsize=KEPT_ROWS)
def _row(instance, pending: bool, checked: str | None, check_url: str | None) -> InstanceRow:
    # The instance is a plain ListedInstance and the rest plain values, so equal
    # arguments make the same row whenever and for whichever app they come.
    return InstanceRow(
        instance.id, instance.name, instance.is_default, instance.enabled,
        provider_name(instance.vendor), instance.endpoint, auth_label(instance.auth_mode),
        instance.description or "", instance.setup_timestamp.isoformat(),
        format_datetime(instance.setup_timestamp), checked_health(instance, checked, pending),
        pending, check_url)
