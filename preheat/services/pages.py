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


def instance_page(session, name_filter: str = "", number: int = 1, size: int = 15) -> Page:
    """Instances whose name contains `name_filter` (any case), by name, one page."""
    query = select(Instance)
    if name_filter:
        pattern = f"%{escape_like(name_filter.lower())}%"
        query = query.where(func.lower(Instance.name).like(pattern, escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, math.ceil(total / size))
    number = min(max(1, number), pages)
    items = session.scalars(
        query.order_by(func.lower(Instance.name)).offset((number - 1) * size).limit(size)
    ).all()
    return Page(list(items), total, number, size)
