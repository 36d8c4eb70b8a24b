"""The project resource, in Harbor's shapes: list, look up by name, create, read and delete."""
from __future__ import annotations

from flask import jsonify, request, url_for

from .. import source_projects
from ..models import PROJECT_NAME_MAX
from ..services import projects, registries
from ..services.errors import NotFound
from ..services.query import PROJECTS
from ..state import current_state
from ..validation import CONTROL_CHARS, FieldError
from . import query
from .errors import ApiError
from .openapi import PAGING, Reply, created, operation
from .parameters import MAX_ID, ProjectExists, ProjectQuery, whole_id
from .payload import json_object
from .registry_models import ProjectCreate
from .registry_payload import named, project_creation
from .responses import Errors, Project, Projects
from .routing import route
from .serialize import project_json

NOT_FOUND = {404: Reply("No such project.", Errors)}
NAMES = {"name": "project_name"}


def register(bp) -> None:
    route(bp, "/projects", "projects", GET=list_projects, HEAD=project_exists,
          POST=create_project)
    route(bp, "/projects/<project_name_or_id>", "project", GET=get_project,
          DELETE=delete_project)


@operation("ListProjects", {200: Reply("One page of projects.", Projects, PAGING)},
           query=ProjectQuery, errors=(400,))
def list_projects():
    """List projects as `q`, `sort`, `page` and `page_size` ask, with paging headers."""
    return query.listed(current_state().session, PROJECTS, ".projects", project_json,
                        harbor_name=True)


@operation("HeadProject", {200: Reply("A project has this name."),
                           404: Reply("No project has this name.")},
           query=ProjectExists, errors=(400,))
def project_exists():
    """Tell whether a project has this name: 200, or 404 (no body either way)."""
    name = request.args.get("project_name")
    if name is None:
        raise ApiError(400, "project_name is required: the name to look for.", "project_name")
    if len(name) > PROJECT_NAME_MAX or CONTROL_CHARS.search(name):
        raise ApiError(400, f"project_name must be at most {PROJECT_NAME_MAX} characters,"
                            " without control characters.", "project_name")
    projects.get_by_name(current_state().session, name)
    return "", 200


BY_ID = {"project_name_or_id": "project_id"}


@operation("CreateProject", {201: created(Project, "The new project's URL (by name with"
                                                  " X-Resource-Name-In-Location: true).",
                                          {"GetProject": BY_ID, "DeleteProject": BY_ID}),
                             409: Reply("Another project has this name, or the host's image"
                                        " source names the projects.", Errors)},
           body=ProjectCreate, errors=(409,), example={"project_name": "library",
                                                       "registry_id": 1})
def create_project():
    """Create a project on a registry; answer 201 with it and its Location."""
    if current_state().host_source is not None:
        raise ApiError(409, source_projects.NOT_CREATED)
    valid = project_creation(json_object())
    session = current_state().session
    registry = _registry(valid.registry_id)
    with named(NAMES):
        project = projects.create(session, valid.project_name, registry)
    by_name = request.headers.get("X-Resource-Name-In-Location", "").lower() == "true"
    location = url_for(".project", project_name_or_id=project.name if by_name else project.id)
    return jsonify(project_json(project)), 201, {"Location": location}


@operation("GetProject", {200: Reply("The project.", Project), **NOT_FOUND}, errors=(404,))
def get_project(project_name_or_id: str):
    """Show one project, by name or id."""
    return jsonify(project_json(find(project_name_or_id)))


@operation("DeleteProject", {200: Reply("Deleted (no body); nothing in the registry is."),
                             **NOT_FOUND}, errors=(404,))
def delete_project(project_name_or_id: str):
    """Delete a project; the registry keeps its repositories."""
    projects.delete(current_state().session, [find(project_name_or_id)])
    return "", 200


def find(value: str):
    """The project named `value`, or with id `value` when it is all digits, or NotFound.

    Harbor's X-Is-Resource-Name: true says a name made of digits is a name.
    """
    session = current_state().session
    is_name = request.headers.get("X-Is-Resource-Name", "").lower() == "true"
    if is_name or not (value.isascii() and value.isdigit()):
        return projects.get_by_name(session, value)
    return projects.get(session, whole_id(value, "Project"))


def _registry(registry_id: int):
    if not 1 <= registry_id <= MAX_ID:
        raise FieldError("registry_id", f"Registry {registry_id} does not exist.")
    try:
        return registries.get(current_state().session, registry_id)
    except NotFound as error:
        raise FieldError("registry_id", error.message) from None
