"""What a policy's filters match right now: counts and the first matches, within the budget.

The dialog asks this as the filters are typed, so it reads the same kept
lists as the Repositories tab and never waits past the page budget.
"""
from __future__ import annotations

import time
from concurrent.futures import wait
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..crypto import SecretBox, SecretError
from ..models import Project
from ..policies.filters import Filter, relative_name
from ..registry import RegistryError
from . import projects, registries
from .browse import SECRET_UNUSABLE, Browser, _key, _left, _problem, _tags_of
from .list_cache import TooSlow

SHOWN = 10


@dataclass
class Preview:
    """How many repositories and tags match, the first matches, and what was not read."""

    repositories: int = 0
    tags: int = 0
    first: list[str] = field(default_factory=list)
    problem: str | None = None
    unread: list[str] = field(default_factory=list)


def preview(session: Session, box: SecretBox, browser: Browser, project: Project,
            repositories: Filter, tags: Filter, shown: int = SHOWN) -> Preview:
    """Match the project's repositories and their tags against the filters, as now listed."""
    ends = time.monotonic() + browser.budget
    registry = project.image_registry
    try:
        target = registries.target(box, registry)
    except SecretError:
        return Preview(problem=SECRET_UNUSABLE)
    key = _key(registry, browser, False)
    try:
        catalog = browser.lists.get(("catalog", key), lambda: browser.client.catalog(target),
                                    _left(ends))
    except (TooSlow, RegistryError) as error:
        return Preview(problem=_problem(error, "the catalog", browser.budget).reason)
    paths = [path for path in catalog if projects.in_project(project.name, path)
             and repositories.matches(relative_name(project.name, path))]
    futures = [browser.lists.submit(("tags", key, path), _tags_of(browser, target, path))
               for path in paths]
    wait(futures, timeout=_left(ends))
    result = Preview()
    for path, future in zip(paths, futures):
        if not future.done() or future.exception() is not None:
            result.unread.append(path)
            continue
        matching = [tag for tag in future.result() if tags.matches(tag)]
        if matching:
            result.repositories += 1
            result.tags += len(matching)
            room = shown - len(result.first)
            result.first += [f"{path}:{tag}" for tag in matching[:max(0, room)]]
    return result
