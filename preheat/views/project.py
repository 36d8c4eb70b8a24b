"""A project's page: its Repositories tab (repositories, then a repository's tags)."""
from __future__ import annotations

from flask import current_app, redirect, request, url_for

from ..browsing import current_browser
from ..htmx import is_htmx, page_or_partial
from ..registry.names import DOCKER_LIST, DOCKER_MANIFEST, DOCKER_SCHEMA1, OCI_INDEX, OCI_MANIFEST
from ..services import browse, projects
from ..services.pages import PAGE_SIZES, search_text
from ..state import current_state

MEDIA_TYPES = {
    OCI_MANIFEST: "Image manifest (OCI)",
    DOCKER_MANIFEST: "Image manifest (Docker v2)",
    DOCKER_SCHEMA1: "Image manifest (Docker v1, signed)",
    OCI_INDEX: "Image index (OCI)",
    DOCKER_LIST: "Manifest list (Docker)",
}
# Digits of a digest shown in the table; the whole digest is in its title and copy button.
SHORT_DIGEST = 12


def register(bp) -> None:
    bp.add_url_rule("/projects/<name>", "project", show_project)
    bp.add_url_rule("/projects/<name>/repositories/<path:repository>", "repository",
                    show_repository)
    bp.add_url_rule("/projects/<name>/open", "open_repository", open_repository)
    bp.add_app_template_filter(media_type_words, "preheat_media_type")
    bp.add_app_template_filter(short_digest, "preheat_short_digest")


def show_project(name: str):
    """Show a project's repositories, filtered and paged, with their tag counts."""
    state = current_state()
    project = projects.get_by_name(state.session, name)
    q, number, size = _paging()
    listing = browse.repositories(state.session, state.secret_box, current_browser(), project,
                                  browse.containing(q), number, size, fresh=_fresh(),
                                  clamp=True, source=state.host_source)
    return _render("preheat/_repositories.html", project, listing, q,
                   _list_url("preheat.project", name=project.name))


def show_repository(name: str, repository: str):
    """Show one repository's tags, each with its digest and media type, filtered and paged."""
    state = current_state()
    project = projects.get_by_name(state.session, name)
    q, number, size = _paging()
    listing = browse.tags(state.secret_box, current_browser(), project, repository,
                          browse.containing(q), number, size, fresh=_fresh(), clamp=True,
                          source=state.host_source)
    return _render("preheat/_tags.html", project, listing, q,
                   _list_url("preheat.repository", name=project.name, repository=repository),
                   repository=repository)


def open_repository(name: str):
    """Go to the repository typed by hand (for a registry that does not list its catalog)."""
    project = projects.get_by_name(current_state().session, name)
    typed = search_text(request.args.get("repository")).strip("/ ")
    typed = typed.removeprefix(project.name + "/") if typed != project.name else typed
    if not typed:
        return redirect(url_for("preheat.project", name=project.name))
    return redirect(url_for("preheat.repository", name=project.name, repository=typed))


def media_type_words(media_type: str | None) -> str:
    """A manifest media type in words ("Image index (OCI)"), or as it is when unknown."""
    return MEDIA_TYPES.get(media_type or "", media_type or "Unknown")


def short_digest(digest: str | None) -> str:
    """`sha256:` and the first digits of a digest."""
    algorithm, _, hexdigits = (digest or "").partition(":")
    return f"{algorithm}:{hexdigits[:SHORT_DIGEST]}" if hexdigits else ""


def _paging() -> tuple[str, int, int]:
    size = request.args.get("page_size", type=int)
    if size not in PAGE_SIZES:
        size = current_app.config["PREHEAT_PAGE_SIZE"]
    number = request.args.get("page", 1, type=int) or 1
    return search_text(request.args.get("q")), max(1, min(number, 10**6)), size


def _fresh() -> bool:
    """Whether Refresh asked: read the registry again, not the lists kept from it."""
    return request.args.get("refresh") == "1"


def _list_url(endpoint: str, **values):
    """`url(page=..., q=...)` for this list; empty or default values left out."""
    default_size = current_app.config["PREHEAT_PAGE_SIZE"]

    def url(**query) -> str:
        kept = {key: value for key, value in query.items() if value not in (None, "")}
        if kept.get("page") == 1:
            kept.pop("page")
        if kept.get("page_size") == default_size:
            kept.pop("page_size")
        return url_for(endpoint, **values, **kept)
    return url


def _render(partial: str, project, listing, q: str, list_url, repository: str | None = None):
    response = page_or_partial("preheat/project.html", partial, project=project,
                               registry=project.image_registry, listing=listing,
                               page=listing.page, q=q, page_sizes=PAGE_SIZES,
                               list_url=list_url, repository=repository, partial=partial)
    if is_htmx():
        # The address bar follows the list, so a reload or a shared link shows it again.
        page = listing.page
        response.headers["HX-Replace-Url"] = list_url(q=q, page=page.number,
                                                      page_size=page.size)
    return response
