"""The New project dialog: pick a registry, then a namespace from its catalog, or type one."""
from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select

from .. import source_projects
from ..forms import ProjectForm
from ..health.checks import release_connection
from ..htmx import page_or_partial
from ..models import Project, Registry
from ..registry import CatalogNotAllowed, RegistryError
from ..services import projects, registries
from ..services.errors import NotFound
from ..services.namespaces import namespaces_in
from ..services.on_demand import Busy
from ..state import current_state
from . import dialogs
from .kinds import PROJECT

# A catalog of thousands of namespaces is typed into, not scrolled through.
MOST_SHOWN = 200


def register(bp) -> None:
    bp.add_url_rule("/projects/-/new", "new_project", new_project, methods=["GET", "POST"])
    bp.add_url_rule("/projects/-/namespaces", "project_namespaces", show_namespaces)


def new_project():
    """Show the New project dialog, or create the project it submits."""
    if current_state().host_source is not None:
        abort(409, source_projects.NOT_CREATED)
    session = current_state().session
    form = ProjectForm()
    form.registry.choices = [(r.id, r.name) for r in session.scalars(
        select(Registry).order_by(Registry.name_key, Registry.id))]
    if request.method == "GET" and request.args.get("registry", type=int):
        form.registry.data = request.args.get("registry", type=int)

    def save(data):
        registry = registries.get(session, data["registry"])
        return projects.create(session, data["name"], registry, data["repo_count"])

    return dialogs.submit(form, save, PROJECT, created=True) or page_or_partial(
        "preheat/project_form.html", "preheat/_project_dialog.html",
        status=dialogs.status_of(), form=form)


def show_namespaces():
    """The registry's namespaces with their repository counts, or why they cannot be listed."""
    state = current_state()
    try:
        registry = registries.get(state.session, request.args.get("registry", 0, type=int))
    except NotFound:
        return _namespaces(problem="Pick a registry first.")
    taken = set(state.session.scalars(select(Project.name)))
    release_connection(state.session)
    try:
        with state.on_demand.slot():
            found = namespaces_in(state.secret_box, registry, state.http)
    except CatalogNotAllowed as refused:
        return _namespaces(problem=refused.reason)
    except (RegistryError, Busy) as error:
        reason = getattr(error, "reason", None) or error.message
        return _namespaces(problem=f"The catalog could not be read: {reason} Type the project"
                                   " name instead.")
    return _namespaces(found=found[:MOST_SHOWN], more=max(0, len(found) - MOST_SHOWN),
                       taken=taken)


def _namespaces(**context):
    return render_template("preheat/_namespaces.html", **{"found": [], "more": 0,
                                                          "taken": set(), "problem": None,
                                                          **context})
