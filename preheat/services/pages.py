"""Paged, filtered listings of instances."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select

from ..models import Instance
from ..validation import CONTROL_CHARS

PAGE_SIZES = (15, 25, 50, 100)


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


def instance_page(session, name_filter: str = "", number: int = 1, size: int = 15) -> Page:
    """Instances whose name contains `name_filter` (any case), by name, one page."""
    query = select(Instance)
    if name_filter:
        query = query.where(contains(Instance.name, name_filter))
    return paginate(session, query, [func.lower(Instance.name)], number, size)
