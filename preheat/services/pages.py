"""Paged, filtered, sorted listings: one declaration per table, one query path for all."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

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
    def parse(cls, text: str | None, sorts=TABLE_SORTS) -> TableSort:
        """The sort a URL asks for among `sorts`; anything unknown is the default, by name."""
        text = (text or "").strip()
        name = text.removeprefix("-")
        if name not in sorts:
            return cls()
        return cls(name, text.startswith("-"))

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



@dataclass(frozen=True, eq=False)
class Listing:
    """What one table lists: its row type, the columns that fill it, and how it sorts.

    `columns` are in the order of `row`'s fields; `source` is what they are
    selected from (a table, or a join); `filtered` is the column the filter
    box searches, any case.
    """

    row: type
    columns: tuple
    source: Any
    sorts: dict = field(default_factory=dict)
    filtered: Any = None
    name_key: Any = None
    id: Any = None

    def sort(self, text: str | None) -> TableSort:
        """The sort a URL asks for among this table's."""
        return TableSort.parse(text, self.sorts)

    def order(self, sort: TableSort) -> list:
        """The ORDER BY keys for `sort`."""
        column = self.sorts[sort.field]
        # Then by name, then by id: equal values keep a stable order across pages.
        keys = [column.desc() if sort.descending else column.asc()]
        if sort.field != "name":
            keys.append(self.name_key.asc())
        return keys + [self.id.asc()]


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


def listing_page(session, listing: Listing, name_filter: str = "", number: int = 1,
                 size: int = 15, sort: TableSort = TableSort()) -> Page:
    """The rows of `listing` whose name contains `name_filter` (any case), in `sort` order.

    The items are `listing.row` values, plain and read-only.
    """
    count, rows = _table_statements(listing, sort, bool(name_filter))
    params = {"pattern": f"%{escape_like(name_filter.lower())}%"} if name_filter else {}
    connection = session.connection()
    total = connection.scalar(count, params)
    number = min(max(1, number), max(1, math.ceil(total / size)))
    offset = (number - 1) * size
    if offset >= total:
        return Page([], total, number, size)
    result = connection.execute(rows, {**params, "offset": offset, "size": size})
    return Page([listing.row._make(row) for row in result], total, number, size)


def instance_page(session, name_filter: str = "", number: int = 1, size: int = 15,
                  sort: TableSort = TableSort()) -> Page:
    """Instances as the Distributions table lists them (ListedInstance values)."""
    return listing_page(session, INSTANCES, name_filter, number, size, sort)


@cache
def _table_statements(listing: Listing, sort: TableSort, filtered: bool):
    """The count and the page statements of a table, built once per sort.

    A statement built anew is analysed anew each time it runs, which costs more
    than running it; these take the filter, the offset and the size as parameters.
    """
    count = select(func.count()).select_from(listing.source)
    rows = select(*listing.columns).select_from(listing.source)
    if filtered:
        matches = func.lower(listing.filtered).like(bindparam("pattern"), escape="\\")
        count, rows = count.where(matches), rows.where(matches)
    rows = rows.order_by(*listing.order(sort)).offset(bindparam("offset")).limit(
        bindparam("size"))
    return count, rows


INSTANCES = Listing(ListedInstance, TABLE_COLUMNS, Instance.__table__, TABLE_SORTS,
                    filtered=Instance.name, name_key=Instance.name_key, id=Instance.id)
