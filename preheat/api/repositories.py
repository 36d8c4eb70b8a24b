"""A project's repositories and a repository's artifacts, read from its registry.

Registry failures answer in the API's error format: 502 BAD_GATEWAY when the
registry refused or failed (the message says how), 504 GATEWAY_TIMEOUT when
it did not answer within the page's budget, 404 when the repository is not
in it, 409 when its stored credentials cannot be decrypted.
"""
from __future__ import annotations

import zlib
from urllib.parse import unquote

from flask import request

from ..browsing import current_browser
from ..registry import repository_problem
from ..services import browse, projects
from ..state import current_state
from . import query
from .errors import ApiError
from .openapi import PAGING, Reply, operation
from .repository_models import (ArtifactQuery, Artifacts, RepositoryQuery, Repositories, Artifact,
                                Reference, Repository, TagName, platform_of, terms)
from .routing import route

REGISTRY_ERRORS = (400, 404, 409, 502, 504)


def register(bp) -> None:
    route(bp, "/projects/<project_name>/repositories", "repositories", GET=list_repositories)
    route(bp, "/projects/<project_name>/repositories/<path:repository_name>/artifacts",
          "artifacts", GET=list_artifacts)


@operation("ListRepositories", {200: Reply("One page of the project's repositories.",
                                           Repositories, PAGING)},
           query=RepositoryQuery, errors=REGISTRY_ERRORS,
           description="Read from the registry's catalog: the repositories <project>/*, and"
                       " for project library also those without a namespace.")
def list_repositories(project_name: str):
    """List a project's repositories with their tag counts, with paging headers."""
    state = current_state()
    project = projects.get_by_name(state.session, project_name)
    number, size, keep, descending = _list_args("name")
    listing = browse.repositories(state.session, state.secret_box, current_browser(), project,
                                  keep, number, size, descending, source=state.host_source)
    _raise(listing)
    items = [Repository(id=_number(repo.path), name=repo.name, project_id=project.id,
                        artifact_count=repo.tag_count).model_dump() for repo in listing.page.items]
    return query.paged_json(items, listing.page, ".repositories",
                            {"project_name": project.name, **_echoed()})


@operation("ListArtifacts", {200: Reply("The artifacts of one page of tags.", Artifacts, PAGING)},
           query=ArtifactQuery, errors=REGISTRY_ERRORS,
           description="Paged by tag (X-Total-Count counts the matching tags): the tags of the"
                       " page are resolved to digests, and tags sharing a digest make one"
                       " artifact. An index lists its platforms in references.")
def list_artifacts(project_name: str, repository_name: str):
    """List a repository's artifacts: digests, media types, tags and an index's platforms."""
    state = current_state()
    project = projects.get_by_name(state.session, project_name)
    name = _repository_name(project.name, repository_name)
    number, size, keep, descending = _list_args("tags")
    listing = browse.tags(state.secret_box, current_browser(), project, name, keep, number,
                          size, descending, source=state.host_source)
    _raise(listing)
    full = browse.shown_name(project.name, listing.path)
    return query.paged_json(_artifacts(listing.page.items, project.id, full), listing.page,
                            ".artifacts", {"project_name": project.name,
                                           "repository_name": name, **_echoed()})


def _repository_name(project: str, given: str) -> str:
    """The name as sent: Werkzeug decoded %2F to /, and %252F arrives as %2F."""
    name = unquote(given) if "%" in given else given
    problem = repository_problem(f"{project}/{name}")
    if problem:  # no repository can have this name, so there is none to find
        raise ApiError(404, f"No repository has this name: {problem}", "repository_name")
    return name


def _list_args(key: str):
    args = request.args
    number = query.integer(args, "page", 1, 1, query.MAX_PAGE)
    size = query.integer(args, "page_size", query.DEFAULT_PAGE_SIZE, 1, query.MAX_PAGE_SIZE)
    sort = args.get("sort", "")
    if sort not in ("", "name", "-name"):
        raise ApiError(400, "sort takes name or -name.", "sort")
    wanted = terms(args.get("q", ""), key)
    return number, size, lambda text: all(_matches(text.lower(), *term) for term in wanted), \
        sort == "-name"


def _matches(text: str, operator: str, values: tuple[str, ...]) -> bool:
    if operator == "contains":
        return values[0] in text
    return text in values


def _artifacts(resolved, project_id: int, repository: str) -> list[dict]:
    """Group the page's tags by digest, in the order their first tags come."""
    groups: dict[str, list] = {}
    for each in resolved:
        groups.setdefault(each.digest, []).append(each)
    return [Artifact(id=_number(digest), type="IMAGE", digest=digest,
                     media_type=same[0].media_type, manifest_media_type=same[0].media_type,
                     project_id=project_id, repository_name=repository,
                     tags=[TagName(name=each.tag) for each in same],
                     references=[Reference(platform=platform_of(name))
                                 for name in same[0].platforms],
                     extra_attrs={"platforms": list(same[0].platforms)} if same[0].is_index
                     else {}).model_dump(exclude_none=True)
            for digest, same in groups.items()]


def _raise(listing) -> None:
    """Answer the registry's problem as an error: a list with holes would mislead a script."""
    if listing.problem:
        raise ApiError(listing.problem.status, listing.problem.reason)


def _echoed() -> dict:
    return {key: request.args[key] for key in ("q", "sort") if key in request.args}


def _number(text: str) -> int:
    """A stable number for a name the registry gives no id."""
    return zlib.crc32(text.encode())
