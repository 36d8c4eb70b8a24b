"""Lists a registry gives page by page: its repositories (the catalog) and a repository's tags."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..natural_sort import natural_key
from ..providers.probe import status_text
from ..transport import LARGEST_BODY, HttpResponse, Target
from .check import refused_credentials
from .errors import CatalogNotAllowed, RegistryError, error_code
from .names import repository_problem

# 2.8.2 answers n above catalog.maxentries (1000 unless configured) with 400.
LARGEST_PAGE = 1000
# The page asked for instead when a registry's maxentries is set lower (its default n).
SMALL_PAGE = 100
# A registry whose Link never ends must not keep a page view busy forever.
MOST_PAGES = 1000


def catalog(client, target: Target, *, page_size: int = LARGEST_PAGE) -> list[str]:
    """Every repository name in the registry, following Link pages; raise RegistryError."""
    size = max(1, min(int(page_size), LARGEST_PAGE))
    names: list[str] = []
    for response in _pages(client, target, f"/v2/_catalog?n={size}", "the catalog"):
        refused = refused_credentials(response, target, "GET /v2/_catalog")
        if refused:
            raise RegistryError(refused, 401)
        if response.status in (401, 403, 404):
            raise CatalogNotAllowed("The registry does not let these credentials list its"
                                    f" repositories ({status_text(response.status)} from"
                                    " GET /v2/_catalog): type project names by hand.",
                                    response.status)
        if response.status == 400 and not names and size > SMALL_PAGE and \
                error_code(response) == " (PAGINATION_NUMBER_INVALID)":
            return catalog(client, target, page_size=SMALL_PAGE)
        names += _list_in(response, "repositories", "GET /v2/_catalog")
    return sorted(dict.fromkeys(names))


def tags(client, target: Target, repository: str) -> list[str]:
    """The repository's tags in natural order (v2 before v10); raise RegistryError."""
    problem = repository_problem(repository)
    if problem:
        raise RegistryError(problem)
    found: list[str] = []
    what = f"GET /v2/{repository}/tags/list"
    for response in _pages(client, target, f"/v2/{repository}/tags/list", what):
        if response.status == 404:
            raise RegistryError(f"The repository {repository} does not exist on the registry"
                                " (or holds no image yet).", 404)
        if response.status in (401, 403):
            raise RegistryError(f"The registry does not let these credentials read"
                                f" {repository} ({status_text(response.status)} from {what}).",
                                response.status)
        found += _list_in(response, "tags", what)
    return sorted(dict.fromkeys(found), key=lambda tag: (natural_key(tag), tag))


def _pages(client, target: Target, first: str, what: str):
    """Each page's response, following `Link: rel="next"` on the registry's own origin."""
    url, seen = first, set()
    while url and len(seen) < MOST_PAGES:
        seen.add(url)
        response = client.send(target, "GET", url, max_body=LARGEST_BODY)
        yield response
        url = response.next_url()
        if url and (url in seen or not _same_origin(url, target.endpoint)):
            where = "back to a page already read" if url in seen else "to another host"
            raise RegistryError(f"The registry's next page of {what} points {where}; it was"
                                " not followed.")


def _list_in(response: HttpResponse, field: str, what: str) -> list[str]:
    if response.status != 200:
        raise RegistryError(f"{status_text(response.status)} from {what}"
                            + error_code(response) + ".", response.status)
    body = response.json()
    values = body.get(field) if isinstance(body, dict) else None
    if values is None and isinstance(body, dict) and field == "tags":
        return []  # OCI: a repository without tags may answer "tags": null
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        cut = " (it exceeds 8 MiB)" if response.truncated else ""
        raise RegistryError(f"Unexpected answer to {what}: expected a JSON list of"
                            f" {field}{cut}.", response.status)
    return values


def _same_origin(url: str, endpoint: str) -> bool:
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())
