"""Paged, filtered listings of instances."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, select

from ..models import Instance
from ..validation import CONTROL_CHARS

PAGE_SIZES = (15, 25, 50, 100)

# The status as its badge reads it: a deactivated instance shows Deactivated
# whatever its last result, so it sorts as such.
SHOWN_STATUS = case((Instance.enabled.is_(False), "deactivated"),
                    (Instance.health_checked_at.is_(None), "unknown"),
                    else_=Instance.health_status)
class ListedInstance(NamedTuple):
    """An instance as the table reads it: plain values, no secrets, never written back."""

    id: int
    name: str
    description: str | None
    vendor: str
    endpoint: str
    auth_mode: str
    enabled: bool
    is_default: bool
    setup_timestamp: datetime
    health_status: str
    health_reason: str | None
    health_http_status: int | None
    health_latency_ms: int | None
    health_checked_at: datetime | None
    health_claimed_until: datetime | None


TABLE_COLUMNS = tuple(getattr(Instance, field) for field in ListedInstance._fields)
# The columns the instance table sorts by, under the names the JSON API uses.
TABLE_SORTS = {
    "name": Instance.name_key,
    "vendor": Instance.vendor,
    "endpoint": Instance.endpoint,
    "status": SHOWN_STATUS,
    "enabled": Instance.enabled,
    "auth_mode": Instance.auth_mode,
    "setup_timestamp": Instance.setup_timestamp,
}


@dataclass(frozen=True)
class Page:
    """One page of a listing and where it sits in the whole."""

    items: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.size, self.total)


@dataclass(frozen=True)
class TableSort:
    """How the instance table is sorted, written `name` or `-name` in its URL."""

    field: str = "name"
    descending: bool = False

    @classmethod
    def parse(cls, text: str | None) -> TableSort:
        """The sort a URL asks for; anything unknown is the default, by name."""
        text = (text or "").strip()
        field = text.removeprefix("-")
        if field not in TABLE_SORTS:
            return cls()
        return cls(field, text.startswith("-"))

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.field

    @property
    def is_default(self) -> bool:
        return self == TableSort()

    def after_click(self, field: str) -> TableSort:
        """The sort a click on `field`'s header asks for: the other way, or ascending."""
        return TableSort(field, not self.descending if field == self.field else False)

    def aria(self, field: str) -> str | None:
        """The header's aria-sort: only the sorted column carries one."""
        if field != self.field:
            return None
        return "descending" if self.descending else "ascending"

    def order(self) -> list:
        column = TABLE_SORTS[self.field]
        # Then by name, then by id: equal values keep a stable order across pages.
        keys = [column.desc() if self.descending else column.asc()]
        if self.field != "name":
            keys.append(Instance.name_key.asc())
        return keys + [Instance.id.asc()]


def search_text(value: str | None, limit: int = 128) -> str:
    """Filter text as typed, without control characters (PostgreSQL refuses NUL bytes)."""
    return CONTROL_CHARS.sub("", value or "").strip()[:limit]


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so user text matches literally (escape char '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column, text: str):
    """The condition that `column` contains `text`, literally and in any case."""
    return func.lower(column).like(f"%{escape_like(text.lower())}%", escape="\\")


def paginate(session, query, order, number: int, size: int, *, clamp: bool = True) -> Page:
    """One page of `query` in `order`.

    With `clamp`, a page number past the end shows the last page; without, an
    empty one, which also keeps absurd page numbers away from the database.
    """
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if clamp:
        number = min(max(1, number), max(1, math.ceil(total / size)))
    offset = (number - 1) * size
    if offset >= total:
        return Page([], total, number, size)
    items = session.scalars(query.order_by(*order).offset(offset).limit(size)).all()
    return Page(list(items), total, number, size)


def instance_page(session, name_filter: str = "", number: int = 1, size: int = 15,
                  sort: TableSort = TableSort()) -> Page:
    """Instances whose name contains `name_filter` (any case), in `sort` order, one page.

    The items are ListedInstance values, not Instance objects.
    """
    count, rows = _table_statements(sort, bool(name_filter))
    params = {"pattern": f"%{escape_like(name_filter.lower())}%"} if name_filter else {}
    connection = session.connection()
    total = connection.scalar(count, params)
    number = min(max(1, number), max(1, math.ceil(total / size)))
    offset = (number - 1) * size
    if offset >= total:
        return Page([], total, number, size)
    result = connection.execute(rows, {**params, "offset": offset, "size": size})
    return Page([ListedInstance._make(row) for row in result], total, number, size)


@cache
def _table_statements(sort: TableSort, filtered: bool):
    """The count and the page statements of the instance table, built once per sort.

    A statement built anew is analysed anew each time it runs, which costs more
    than running it; these take the filter, the offset and the size as parameters.
    """
    count = select(func.count()).select_from(Instance)
    rows = select(*TABLE_COLUMNS)
    if filtered:
        matches = func.lower(Instance.name).like(bindparam("pattern"), escape="\\")
        count, rows = count.where(matches), rows.where(matches)
    rows = rows.order_by(*sort.order()).offset(bindparam("offset")).limit(bindparam("size"))
    return count, rows
