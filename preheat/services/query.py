"""Filtered, sorted, paged listings for the JSON API: instances, registries, projects,
policies, executions and tasks.

Callers name fields, not columns: the API's query language is parsed in
`preheat.api.query` and arrives here as `Filter` and `SortKey` values, read
against the `Listing` of the resource.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, or_, select

from ..models import Execution, Instance, Policy, Project, Registry, Task
from .pages import Page, contains, paginate

OPERATORS = ("equals", "contains", "any_of")


@dataclass(frozen=True)
class Listing:
    """What one resource's list filters and sorts by: the API's field names and their columns.

    Text fields compare without regard to case, like the name filter of the pages.
    """

    model: type
    text: dict
    flags: dict
    sorts: dict
    default_sort: str = "name"  # "-id": newest first

    @property
    def id_column(self):
        return self.model.id


INSTANCES = Listing(
    Instance,
    text={"name": Instance.name, "description": Instance.description,
          "endpoint": Instance.endpoint, "vendor": Instance.vendor,
          "auth_mode": Instance.auth_mode, "status": Instance.health_status},
    flags={"enabled": Instance.enabled, "default": Instance.is_default,
           "insecure": Instance.insecure},
    # Natural order, ignoring case: bulk-2 before bulk-10.
    sorts={"id": Instance.id, "name": Instance.name_key, "vendor": Instance.vendor,
           "endpoint": Instance.endpoint, "auth_mode": Instance.auth_mode,
           "status": Instance.health_status, "enabled": Instance.enabled,
           "default": Instance.is_default, "insecure": Instance.insecure,
           "setup_timestamp": Instance.setup_timestamp},
)
REGISTRIES = Listing(
    Registry,
    text={"name": Registry.name, "description": Registry.description, "url": Registry.url,
          "public_url": Registry.public_url, "type": Registry.type,
          "status": Registry.health_status},
    flags={"insecure": Registry.insecure},
    sorts={"id": Registry.id, "name": Registry.name_key, "url": Registry.url,
           "status": Registry.health_status, "insecure": Registry.insecure,
           "creation_time": Registry.created_at, "update_time": Registry.updated_at},
)
PROJECTS = Listing(
    Project,
    text={"name": Project.name},
    flags={},
    sorts={"project_id": Project.id, "name": Project.name, "registry_id": Project.registry_id,
           "repo_count": Project.repo_count, "creation_time": Project.created_at,
           "update_time": Project.updated_at},
)
# A project's policies; the caller narrows the list to the project.
POLICIES = Listing(
    Policy,
    text={"name": Policy.name, "description": Policy.description},
    flags={"enabled": Policy.enabled},
    sorts={"id": Policy.id, "name": func.lower(Policy.name), "creation_time": Policy.created_at,
           "update_time": Policy.updated_at},
)
# A policy's executions, newest first unless asked otherwise.
EXECUTIONS = Listing(
    Execution,
    text={"status": Execution.status, "trigger": Execution.trigger},
    flags={},
    sorts={"id": Execution.id, "status": Execution.status, "start_time": Execution.start_time,
           "end_time": Execution.end_time},
    default_sort="-id",
)
# An execution's tasks, in the order they were created unless asked otherwise.
TASKS = Listing(
    Task,
    text={"status": Task.status, "repository": Task.repository, "tag": Task.tag},
    flags={},
    sorts={"id": Task.id, "status": Task.status, "repository": Task.repository,
           "tag": Task.tag, "start_time": Task.start_time, "end_time": Task.end_time},
    default_sort="id",
)
# The instance list's fields, under the names the API has always published.
TEXT_COLUMNS, FLAG_COLUMNS, SORT_COLUMNS = INSTANCES.text, INSTANCES.flags, INSTANCES.sorts


@dataclass(frozen=True)
class Filter:
    """One condition: a text field `equals`, `contains` or is `any_of` values; a flag equals one."""

    field: str
    operator: str
    values: tuple

    def __post_init__(self):
        if self.operator not in OPERATORS:
            raise ValueError(f"unknown operator {self.operator!r}")


@dataclass(frozen=True)
class SortKey:
    """Order by `field`, descending when `descending`."""

    field: str
    descending: bool = False


def search(session, filters=(), order=(), number: int = 1, size: int = 10,
           listing: Listing = INSTANCES, where=()) -> Page:
    """One page of the `listing`'s rows matching every filter, in the given order.

    `where`: conditions of the caller's own, such as the project the rows belong to.
    A page past the end is empty rather than clamped, so links stay stable.
    """
    query = select(listing.model).where(*where)
    for condition in filters:
        query = query.where(_condition(listing, condition))
    return paginate(session, query, _ordering(listing, order), number, size, clamp=False)


def _condition(listing: Listing, condition: Filter):
    if condition.field in listing.flags:
        column = listing.flags[condition.field]
        return column.is_(True) if condition.values[0] else column.is_(False)
    if condition.field not in listing.text:
        raise ValueError(f"cannot filter on {condition.field!r}")
    column = func.coalesce(listing.text[condition.field], "")
    if condition.operator == "contains":
        return contains(column, str(condition.values[0]))
    column = func.lower(column)
    values = [str(value).lower() for value in condition.values]
    if condition.operator == "any_of":
        return or_(*(column == value for value in values)) if values else false()
    return column == values[0]


def _ordering(listing: Listing, order):
    keys, seen = [], set()
    for key in order:
        if key.field in seen:
            continue
        if key.field not in listing.sorts:
            raise ValueError(f"cannot sort by {key.field!r}")
        seen.add(key.field)
        column = listing.sorts[key.field]
        keys.append(column.desc() if key.descending else column.asc())
    if not keys:
        field = listing.default_sort.removeprefix("-")
        column = listing.sorts[field]
        keys.append(column.desc() if field != listing.default_sort else column.asc())
    # The id breaks ties, so no row shows up on two pages or on none.
    keys.append(listing.id_column.asc())
    return keys
