"""A project's repositories and tags as the host's image source lists them, a page at a time.

The Repositories tab and the repository API read these instead of a
registry when the host passed `init_app(artifact_source=...)`. The source's
lists are kept briefly in the browser's list cache (the policy preview shares
them) and waited for within the page budget, as a registry's are; a tag is
resolved to its digest only when it is on the page.
"""
from __future__ import annotations

import time
from concurrent.futures import wait

from flask import current_app

from ..registry import Artifact, RegistryError
from ..sources import ArtifactSource, SourceError, unreadable
from .browse import (Browser, Keep, Listing, Problem, Repository, _empty, _left, _page,
                     _problem, _unresolved, candidate_paths, shown_name)
from .list_cache import TooSlow
from .pages import Page


def repositories(source: ArtifactSource, browser: Browser, project: str, keep: Keep,
                 number: int, size: int, descending: bool, fresh: bool,
                 clamp: bool) -> tuple[Listing, int | None]:
    """A page of the project's repositories that `keep` takes, with their tag counts, and
    how many the project holds (None when they could not be listed)."""
    ends = time.monotonic() + browser.budget
    read = in_app_context(source)
    try:
        paths = _paths(browser, read, project, fresh, ends)
    except (TooSlow, RegistryError) as error:
        return Listing(_empty(number, size), _unread(error, "the repositories", browser)), None
    members = [Repository(path, shown_name(project, path)) for path in paths]
    matching = [repo for repo in members if keep(repo.name)]
    page = _page(matching[::-1] if descending else matching, number, size, clamp)
    futures = [browser.lists.submit(("source", project, repo.path),
                                    lambda path=repo.path: read("tags", project, path))
               for repo in page.items]
    wait(futures, timeout=_left(ends))
    counted = [_counted(repo, future, browser.budget)
               for repo, future in zip(page.items, futures)]
    return Listing(Page(counted, page.total, page.number, page.size)), len(members)


def tags(source: ArtifactSource, browser: Browser, project: str, name: str, keep: Keep,
         number: int, size: int, descending: bool, fresh: bool, clamp: bool) -> Listing:
    """A page of one repository's tags that `keep` takes, each with its digest."""
    ends = time.monotonic() + browser.budget
    read = in_app_context(source)
    try:
        paths = _paths(browser, read, project, fresh, ends)
        path = next((p for p in candidate_paths(project, name) if p in paths),
                    candidate_paths(project, name)[0])
        names = _listed(browser, ("source", project, path),
                        lambda: read("tags", project, path), ends)
    except (TooSlow, RegistryError) as error:
        return Listing(_empty(number, size), _unread(error, f"the tags of {name}", browser))
    matching = [tag for tag in names if keep(tag)]
    page = _page(matching[::-1] if descending else matching, number, size, clamp)
    futures = [browser.lists.submit(("source", project, path, "tag", tag),
                                    lambda tag=tag: [read("artifact", project, path, tag)])
               for tag in page.items]
    wait(futures, timeout=_left(ends))
    resolved = [_resolved(tag, future, browser.budget) for tag, future in zip(page.items, futures)]
    return Listing(Page(resolved, page.total, page.number, page.size),
                   _unresolved(resolved), path)


def in_app_context(source: ArtifactSource):
    """Call a method of `source` in this app's context, from the list cache's threads too."""
    app = current_app._get_current_object()

    def read(method: str, *args):
        with app.app_context():
            return getattr(source, method)(*args)
    return read


def _paths(browser: Browser, read, project: str, fresh: bool, ends: float) -> list[str]:
    """The project's repositories as the source lists them; `fresh` asks it again."""
    if fresh:
        browser.lists.forget(lambda key: key[:2] == ("source", project))
    return _listed(browser, ("source", project), lambda: read("repositories", project), ends)


def _listed(browser: Browser, key: tuple, fetch, ends: float) -> list:
    """A list from the source, kept or fetched within what is left of the budget; a list
    the source could not give raises its SourceError (a RegistryError)."""
    try:
        return browser.lists.get(key, fetch, _left(ends))
    except (TooSlow, RegistryError):
        raise
    except Exception as error:  # the host's code: answered as its reason, never as a 500
        raise SourceError(str(error) or type(error).__name__) from None


def _unread(error: Exception, what: str, browser: Browser) -> Problem:
    """Why the page is empty: the source's own words, naming what could not be read."""
    problem = _problem(error, what, browser.budget, origin="image source")
    return problem if isinstance(error, TooSlow) else Problem(unreadable(error), problem.status)


def _counted(repo: Repository, future, budget: float) -> Repository:
    if not future.done():
        return Repository(repo.path, repo.name, reason=f"Its tags were not listed within"
                                                       f" {budget:g} s.")
    if future.exception() is not None:
        error = future.exception()
        return Repository(repo.path, repo.name, reason=getattr(error, "reason", str(error)))
    return Repository(repo.path, repo.name, len(future.result()))


def _resolved(tag: str, future, budget: float) -> Artifact:
    if not future.done():
        return Artifact(tag, reason=f"Not resolved within {budget:g} s.")
    if future.exception() is not None:
        error = future.exception()
        return Artifact(tag, reason=getattr(error, "reason", None) or str(error))
    return future.result()[0]
