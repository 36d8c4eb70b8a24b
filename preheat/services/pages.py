"""Paged, filtered, sorted listings: one declaration per table, one query path for all."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, bindparam, case, func, select

from ..models import Instance
from ..validation import CONTROL_CHARS

PAGE_SIZES = (15, 25, 50, 100)
# Larger page numbers ask for the last page as well, within an SQL integer.
MAX_PAGE_NUMBER = 2**31 - 1

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

    A page number past the end shows the last page. The items are `listing.row`
    values, plain and read-only; one statement reads them and how many match
    (last in each row).
    """
    params = {"number": min(max(1, number), MAX_PAGE_NUMBER), "size": size}
    if name_filter:
        params["pattern"] = f"%{escape_like(name_filter.lower())}%"
    rows = session.connection().execute(_page_statement(listing, sort, bool(name_filter)),
                                        params).all()
    # The page is clamped to the last one, so no row means no match at all.
    total = rows[0][-1] if rows else 0
    number = min(max(1, number), max(1, math.ceil(total / size)))
    return Page([listing.row._make(row[:-1]) for row in rows], total, number, size)


def instance_page(session, name_filter: str = "", number: int = 1, size: int = 15,
                  sort: TableSort = TableSort()) -> Page:
    """Instances as the Distributions table lists them (ListedInstance values)."""
    return listing_page(session, INSTANCES, name_filter, number, size, sort)


@cache
def _page_statement(listing: Listing, sort: TableSort, filtered: bool):
    """The statement of a table's page, each row ending with how many rows match, built
    once per sort.

    A statement built anew is analysed anew each time it runs, which costs more
    than running it; this one takes the filter, the page number and the size as
    parameters, and moves a number past the end to the last page itself.
    """
    matches = func.lower(listing.filtered).like(bindparam("pattern"), escape="\\")
    counted = select(func.count().label("matching")).select_from(listing.source)
    rows = select(*listing.columns, func.count().over().label("total")).select_from(
        listing.source)
    if filtered:
        counted, rows = counted.where(matches), rows.where(matches)
    matching = counted.subquery().c.matching
    size, number = bindparam("size", type_=BigInteger), bindparam("number", type_=BigInteger)
    # Integer division: the offset of the last page, 0 when nothing matches.
    asked, last = (number - 1) * size, (matching - 1) // size * size
    offset = select(case((asked > last, last), else_=asked)).scalar_subquery().correlate(None)
    return rows.order_by(*listing.order(sort)).limit(size).offset(offset)


INSTANCES = Listing(ListedInstance, TABLE_COLUMNS, Instance.__table__, TABLE_SORTS,
                    filtered=Instance.name, name_key=Instance.name_key, id=Instance.id)
