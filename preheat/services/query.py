"""Filtered, sorted, paged instance listings for the JSON API.

Callers name fields, not columns: the API's query language is parsed in
`preheat.api.query` and arrives here as `Filter` and `SortKey` values.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, or_, select

from ..models import Instance
from .pages import Page, contains, paginate

# Text fields compare without regard to case, like the name filter of the page.
TEXT_COLUMNS = {
    "name": Instance.name,
    "description": Instance.description,
    "endpoint": Instance.endpoint,
    "vendor": Instance.vendor,
    "auth_mode": Instance.auth_mode,
    "status": Instance.health_status,
}
FLAG_COLUMNS = {
    "enabled": Instance.enabled,
    "default": Instance.is_default,
    "insecure": Instance.insecure,
}
SORT_COLUMNS = {
    "id": Instance.id,
    # Natural order, ignoring case: bulk-2 before bulk-10.
    "name": Instance.name_key,
    "vendor": Instance.vendor,
    "endpoint": Instance.endpoint,
    "auth_mode": Instance.auth_mode,
    "status": Instance.health_status,
    "enabled": Instance.enabled,
    "default": Instance.is_default,
    "insecure": Instance.insecure,
    "setup_timestamp": Instance.setup_timestamp,
}
OPERATORS = ("equals", "contains", "any_of")


@dataclass(frozen=True)
class Filter:
    """One condition: a text field `equals`, `contains` or is `any_of` values; a flag equals one."""

    field: str
    operator: str
    values: tuple

    def __post_init__(self):
        if self.field not in TEXT_COLUMNS and self.field not in FLAG_COLUMNS:
            raise ValueError(f"cannot filter on {self.field!r}")
        if self.operator not in OPERATORS:
            raise ValueError(f"unknown operator {self.operator!r}")


@dataclass(frozen=True)
class SortKey:
    """Order by `field`, descending when `descending`."""

    field: str
    descending: bool = False

    def __post_init__(self):
        if self.field not in SORT_COLUMNS:
            raise ValueError(f"cannot sort by {self.field!r}")


def search(session, filters=(), order=(), number: int = 1, size: int = 10) -> Page:
    """One page of the instances matching every filter, in the given order.

    A page past the end is empty rather than clamped, so links stay stable.
    """
    query = select(Instance)
    for condition in filters:
        query = query.where(_condition(condition))
    return paginate(session, query, _ordering(order), number, size, clamp=False)


def _condition(condition: Filter):
    if condition.field in FLAG_COLUMNS:
        column = FLAG_COLUMNS[condition.field]
        return column.is_(True) if condition.values[0] else column.is_(False)
    column = func.coalesce(TEXT_COLUMNS[condition.field], "")
    if condition.operator == "contains":
        return contains(column, str(condition.values[0]))
    column = func.lower(column)
    values = [str(value).lower() for value in condition.values]
    if condition.operator == "any_of":
        return or_(*(column == value for value in values)) if values else false()
    return column == values[0]


def _ordering(order):
    keys, seen = [], set()
    for key in order:
        if key.field in seen:
            continue
        seen.add(key.field)
        column = SORT_COLUMNS[key.field]
        keys.append(column.desc() if key.descending else column.asc())
    if not keys:
        keys.append(SORT_COLUMNS["name"].asc())
    # The id breaks ties, so no row shows up on two pages or on none.
    if "id" not in seen:
        keys.append(Instance.id.asc())
    return keys
