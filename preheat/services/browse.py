"""A project's repositories and tags as its registry holds them, one page at a time.

Each page view has one time budget for every request it makes: the catalog
and tag lists come from a brief in-process cache (`list_cache`) or within
the budget; digests and media types are resolved only for the tags on the
page, a few at a time. Whatever the registry does, a page comes back within
the budget, with the reason when it could not be read. The requests per view
are the catalog's pages, one tag list per repository on the page and one or
two per tag on the page: never more because more tags exist elsewhere.
"""
from __future__ import annotations

import time
from concurrent.futures import wait
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from sqlalchemy.orm import Session

from ..crypto import SecretBox, SecretError
from ..models import Project, utcnow
from ..registry import Artifact, CatalogNotAllowed, RegistryClient, RegistryError
from ..transport import HttpClient
from . import projects, registries
from .list_cache import ListCache, TooSlow
from .pages import Page

DEFAULT_NAMESPACE = "library"
Keep = Callable[[str], bool]
# The stored repository count is rewritten at most this often when it has not changed.
RECOUNT_AFTER = timedelta(minutes=1)
SECRET_UNUSABLE = ("The registry's stored password cannot be decrypted with the current keys;"
                   " enter it again on the registry.")


@dataclass(frozen=True)
class Problem:
    """Why a page shows less than asked, and the HTTP status an API answers it with."""

    reason: str
    status: int  # 404 repository unknown, 409 credentials unusable, 502 refused, 504 too slow


@dataclass(frozen=True)
class Repository:
    """A repository of a project: its path in the registry and its name with the project prefix."""

    path: str
    name: str
    tag_count: int | None = None
    reason: str | None = None

    def within(self, project: str) -> str:
        """The name without the project prefix (what URLs carry)."""
        return self.name.removeprefix(project + "/")


@dataclass(frozen=True)
class Listing:
    """One page of repositories or tags, and what kept part of it from showing."""

    page: Page
    problem: Problem | None = None
    path: str | None = None  # the repository a tag page is about, as the registry names it

    @property
    def reason(self) -> str | None:
        return self.problem.reason if self.problem else None


class Browser:
    """Reads registries for page views: one client, one list cache, one budget per page."""

    def __init__(self, http: HttpClient, *, budget: float, ttl: float = 15.0,
                 concurrency: int = 8):
        self.client = RegistryClient(http)
        self.lists = ListCache(ttl)
        self.budget = float(budget)
        self.concurrency = int(concurrency)

    def close(self) -> None:
        self.lists.close()


def _open(box: SecretBox, browser: Browser, project: Project, fresh: bool):
    """The registry's target and the key of its kept lists; None if its secret is unusable."""
    registry = project.image_registry
    try:
        target = registries.target(box, registry)
    except SecretError:
        return None
    return target, _key(registry, browser, fresh)


def repositories(session: Session, box: SecretBox, browser: Browser, project: Project,
                 keep: Keep, number: int, size: int, descending: bool = False,
                 fresh: bool = False, clamp: bool = False, source=None) -> Listing:
    """A page of the project's repositories whose names `keep` takes, with their tag counts.

    `fresh` reads the registry again instead of the lists kept from it; `clamp`
    shows the last page for a number past it (the API answers an empty page).
    `source`, the host's image source, is read instead of the project's registry.
    """
    if source is not None:
        from .source_browse import repositories as listed_by_source
        listing, count = listed_by_source(source, browser, project.name, keep, number, size,
                                          descending, fresh, clamp)
        if count is not None:
            remember_count(session, project, count)
        return listing
    ends = time.monotonic() + browser.budget
    opened = _open(box, browser, project, fresh)
    if opened is None:
        return Listing(_empty(number, size), Problem(SECRET_UNUSABLE, 409))
    target, key = opened
    try:
        catalog = browser.lists.get(("catalog", key), lambda: browser.client.catalog(target),
                                    _left(ends))
    except (TooSlow, RegistryError) as error:
        return Listing(_empty(number, size), _problem(error, "the catalog", browser.budget))
    members = [Repository(path, shown_name(project.name, path)) for path in catalog
               if projects.in_project(project.name, path)]
    remember_count(session, project, len(members))
    matching = [repo for repo in members if keep(repo.name)]
    page = _page(matching[::-1] if descending else matching, number, size, clamp)
    counted = _count_tags(browser, target, key, page.items, ends)
    return Listing(Page(counted, page.total, page.number, page.size))


def tags(box: SecretBox, browser: Browser, project: Project, name: str, keep: Keep,
         number: int, size: int, descending: bool = False, fresh: bool = False,
         clamp: bool = False, source=None) -> Listing:
    """A page of one repository's tags that `keep` takes, each resolved to its digest;
    from `source`, the host's image source, instead of the registry when given."""
    if source is not None:
        from .source_browse import tags as listed_by_source
        return listed_by_source(source, browser, project.name, name, keep, number, size,
                                descending, fresh, clamp)
    ends = time.monotonic() + browser.budget
    opened = _open(box, browser, project, fresh)
    if opened is None:
        return Listing(_empty(number, size), Problem(SECRET_UNUSABLE, 409))
    target, key = opened
    try:
        path, names = _tag_list(browser, target, key, project.name, name, ends)
    except (TooSlow, RegistryError) as error:
        return Listing(_empty(number, size), _problem(error, f"the tags of {name}",
                                                      browser.budget))
    matching = [tag for tag in names if keep(tag)]
    page = _page(matching[::-1] if descending else matching, number, size, clamp)
    resolved = _resolve(browser, target, path, page.items, ends)
    return Listing(Page(resolved, page.total, page.number, page.size), _unresolved(resolved),
                   path)


def containing(text: str | None) -> Keep:
    """Take the names that contain `text`, without regard to case."""
    needle = (text or "").lower()
    return lambda name: needle in name.lower()


def shown_name(project: str, path: str) -> str:
    """Harbor's name of a repository: with the project prefix (`alpine` is `library/alpine`)."""
    return path if "/" in path else f"{DEFAULT_NAMESPACE}/{path}"


def candidate_paths(project: str, name: str) -> list[str]:
    """Where a repository named `name` in the project may live in the registry, likeliest first."""
    paths = [f"{project}/{name}"]
    if project == DEFAULT_NAMESPACE and "/" not in name:
        paths.append(name)  # Docker's convention: alpine is library/alpine
    return paths


def remember_count(session: Session, project: Project, count: int) -> None:
    """Store the project's repository count when it changed or was counted a while ago."""
    counted = project.repos_counted_at
    if counted is not None and counted.tzinfo is None:
        counted = counted.replace(tzinfo=utcnow().tzinfo)
    if project.repo_count == count and counted and utcnow() - counted < RECOUNT_AFTER:
        return
    projects.count_repositories(session, project, count)


def _tag_list(browser: Browser, target, key, project: str, name: str, ends: float):
    """The registry path of `name` in the project and its tags; raise RegistryError or TooSlow."""
    *likelier, last = candidate_paths(project, name)
    for path in likelier:
        try:
            return path, browser.lists.get(("tags", key, path),
                                           _tags_of(browser, target, path), _left(ends))
        except RegistryError as error:
            if error.http_status != 404:
                raise
    return last, browser.lists.get(("tags", key, last), _tags_of(browser, target, last),
                                   _left(ends))


def _count_tags(browser: Browser, target, key, page: list[Repository],
                ends: float) -> list[Repository]:
    futures = [browser.lists.submit(("tags", key, repo.path), _tags_of(browser, target, repo.path))
               for repo in page]
    wait(futures, timeout=_left(ends))
    counted = []
    for repo, future in zip(page, futures):
        if not future.done():
            counted.append(Repository(repo.path, repo.name, reason="The registry did not list"
                                      f" its tags within {browser.budget:g} s."))
        elif future.exception() is not None:
            error = future.exception()
            counted.append(Repository(repo.path, repo.name, reason=getattr(error, "reason",
                                                                           str(error))))
        else:
            counted.append(Repository(repo.path, repo.name, len(future.result())))
    return counted


def _resolve(browser: Browser, target, path: str, names: list[str],
             ends: float) -> list[Artifact]:
    left = _left(ends)
    if not names:
        return []
    if left < 0.05:
        late = f"Not resolved within {browser.budget:g} s: the tag list took the whole budget."
        return [Artifact(tag, reason=late) for tag in names]
    return browser.client.artifacts(target, path, names, concurrency=browser.concurrency,
                                    deadline=left)


def _unresolved(resolved: list[Artifact]) -> Problem | None:
    """What the page says when tags on it could not be resolved."""
    failed = [artifact for artifact in resolved if not artifact.ok]
    if not failed:
        return None
    count = f"{len(failed)} of {len(resolved)} tags" if len(failed) > 1 else \
        f"Tag {failed[0].tag}"
    return Problem(f"{count} could not be resolved: {failed[0].reason}",
                   504 if _late(failed[0].reason) else 502)


def _tags_of(browser: Browser, target, path: str):
    return lambda: browser.client.tags(target, path)


def _problem(error: Exception, what: str, budget: float, origin: str = "registry") -> Problem:
    if isinstance(error, TooSlow):
        return Problem(f"The {origin} did not send {what} within {budget:g} s, so the page"
                       " shows nothing rather than wait longer; it keeps loading in the"
                       " background: reload in a moment.", 504)
    if isinstance(error, CatalogNotAllowed):
        return Problem(error.reason, 502)
    if error.http_status == 404:
        return Problem(error.reason, 404)
    return Problem(error.reason, 504 if _late(error.reason) else 502)


def _late(reason: str | None) -> bool:
    # The transport's sentences for an answer that did not come in time.
    return bool(reason) and reason.startswith(("Timed out", "Gave up after", "Not resolved"))


def _key(registry, browser: Browser, fresh: bool) -> tuple:
    """What a kept list belongs to: the registry as saved (an edit starts afresh)."""
    key = (registry.id, str(registry.updated_at))
    if fresh:
        browser.lists.forget(lambda kept: kept[1] == key)
    return key


def _left(ends: float) -> float:
    return max(0.0, ends - time.monotonic())


def _page(items: list, number: int, size: int, clamp: bool) -> Page:
    number = max(1, min(number, -(-len(items) // size))) if clamp else max(1, number)
    start = (number - 1) * size
    return Page(items[start:start + size], len(items), number, size)


def _empty(number: int, size: int) -> Page:
    return Page([], 0, max(1, number), size)
