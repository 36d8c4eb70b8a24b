"""Paged, filtered listings of instances."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..models import Instance
from ..validation import CONTROL_CHARS

PAGE_SIZES = (15, 25, 50, 100)

# The status as its badge reads it: a deactivated instance shows Deactivated
# whatever its last result, so it sorts as such.
SHOWN_STATUS = case((Instance.enabled.is_(False), "deactivated"),
                    (Instance.health_checked_at.is_(None), "unknown"),
                    else_=Instance.health_status)
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
    """Instances whose name contains `name_filter` (any case), in `sort` order, one page."""
    query = select(Instance)
    if name_filter:
        query = query.where(contains(Instance.name, name_filter))
    return paginate(session, query, sort.order(), number, size)
