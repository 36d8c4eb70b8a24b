"""What a policy's filters match right now: counts and the first matches, within the budget.

The dialog asks this as the filters are typed, so it reads the project's
artifact source (the one executions read) through the browser's brief list
cache, and never waits past the page budget.
"""
from __future__ import annotations

import time
from concurrent.futures import wait
from dataclasses import dataclass, field

from ..policies.filters import Filter, relative_name
from ..registry import RegistryError
from ..sources import ArtifactSource
from .browse import Browser, _left, _problem
from .list_cache import TooSlow
from .source_browse import in_app_context

SHOWN = 10


@dataclass
class Preview:
    """How many repositories and tags match, the first matches, and what was not read."""

    repositories: int = 0
    tags: int = 0
    first: list[str] = field(default_factory=list)
    problem: str | None = None
    unread: list[str] = field(default_factory=list)
    origin: str = "registry"  # what could not be read, when `problem` says why


def preview(source: ArtifactSource, browser: Browser, project: str, repositories: Filter,
            tags: Filter, shown: int = SHOWN) -> Preview:
    """Match the project's repositories and their tags against the filters, as now listed."""
    ends = time.monotonic() + browser.budget
    read = in_app_context(source)
    try:
        paths = browser.lists.get(("source", project),
                                  lambda: read("repositories", project), _left(ends))
    except (TooSlow, RegistryError) as error:
        return Preview(problem=_problem(error, "the catalog", browser.budget).reason,
                       origin=getattr(error, "origin", "registry"))
    paths = [path for path in paths if repositories.matches(relative_name(project, path))]
    futures = [browser.lists.submit(("source", project, path),
                                    lambda path=path: read("tags", project, path))
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

