"""A table page's request handling, the same for every table: page, filter, sort, URL.

Each table declares what differs (`Table`); reading the query string, asking
for the page and answering htmx with the partial and the address bar's URL
happen here once for all of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from flask import current_app, make_response, request, url_for

from ..htmx import is_htmx, page_or_partial
from ..services.pages import PAGE_SIZES, Listing, Page, TableSort, listing_page, search_text
from ..state import current_state
from . import kept, table, urls


@dataclass(frozen=True)
class Table:
    """One table page: its route, what it lists, its columns and its templates."""

    endpoint: str
    listing: Listing
    columns: tuple
    page_template: str
    partial_template: str
    title: str
    # How many of its htmx partials to keep (views/kept.py); only for a partial that
    # shows nothing but the values it is rendered with, rows already rendered.
    kept_partials: int = 0


def current_sort(spec: Table) -> TableSort:
    """The sort the request asks for, among those `spec` offers."""
    return spec.listing.sort(request.values.get("sort"))


def current_page(spec: Table) -> Page:
    """The page of `spec`'s rows the request asks for: filter, number, size and sort."""
    query, number, size = requested()
    return listing_page(current_state().session, spec.listing, query, number, size,
                        current_sort(spec))


def requested() -> tuple[str, int, int]:
    """The filter text, page number and page size the request asks for."""
    size = request.values.get("page_size", type=int)
    if size not in PAGE_SIZES:
        size = current_app.config["PREHEAT_PAGE_SIZE"]
    return (search_text(request.values.get("q")), request.values.get("page", 1, type=int),
            size)


def render(spec: Table, page: Page, rows: list, route: dict | None = None, **context):
    """The full page, or for htmx the table alone with the URL the address bar should show.

    `route` holds the values of the page's URL (a project's name).
    """
    query = search_text(request.values.get("q"))
    sort = current_sort(spec)
    route = route or {}
    list_url = urls.with_base(url_for(spec.endpoint, **route))
    values = dict(page=page, q=query, sort=sort, page_sizes=PAGE_SIZES, list_url=list_url,
                  headers=table.headers(sort, page.size, query, list_url, spec.columns),
                  rows=rows, preheat_title=spec.title, **context)
    if spec.kept_partials and is_htmx():
        response = kept_partial(spec, values)
    else:
        response = page_or_partial(spec.page_template, spec.partial_template, **values)
    if is_htmx():
        # The address bar follows the table, so a reload or a shared link shows it again.
        response.headers["HX-Replace-Url"] = own_url(spec.endpoint, page, query, sort, route)
    return response


def kept_partial(spec: Table, values: dict):
    """The htmx partial of `spec`, rendered once for each distinct set of `values`."""
    page = values["page"]
    # The partial shows where the page sits, never its items (given as rendered rows).
    values.update(page=Page((), page.total, page.number, page.size), rows=tuple(values["rows"]))
    response = make_response(kept.render(spec.partial_template, spec.kept_partials, **values))
    response.vary.add("HX-Request")
    return response


def own_url(endpoint: str, page: Page, query: str, sort: TableSort,
            route: dict | None = None) -> str:
    """The page's own URL for this filter, page, page size and sort; defaults left out."""
    return url_for(endpoint, **(route or {}), q=query or None,
                   page=page.number if page.number > 1 else None,
                   page_size=None if page.size == current_app.config["PREHEAT_PAGE_SIZE"]
                   else page.size,
                   sort=None if sort.is_default else sort.param)

