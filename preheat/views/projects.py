"""The Projects page: each project, its registry and counts; Delete in its Actions.

Its own routes sit under /projects/-/: "-" is no project name, so they never
hide a project's page at /projects/<name>.
"""
from __future__ import annotations

import math

from flask import url_for
from flask_login import current_user

from .. import source_projects
from ..access import is_sysadmin, may_manage_project
from ..services.pages import Page, listing_page
from ..services.registry_pages import PROJECTS
from ..state import current_state
from . import actions, listing, project_form
from .kinds import PROJECT
from .registry_table import PROJECT_COLUMNS, project_rows

TABLE = listing.Table("preheat.projects", PROJECTS, PROJECT_COLUMNS,
                      "preheat/projects.html", "preheat/_projects.html", "Projects")


def register(bp) -> None:
    bp.add_url_rule("/projects", "projects", list_projects)
    bp.add_url_rule("/projects/-/actions/delete/confirm", "confirm_project_delete",
                    confirm_delete)
    bp.add_url_rule("/projects/-/actions/delete", "delete_projects", delete, methods=["POST"])
    project_form.register(bp)


# Whom a project maintainer's list is read from: every project, then theirs kept.
EVERY_PROJECT = 10**9


def list_projects():
    """Show the project table: every project to a sysadmin, to others those they manage."""
    page = listing.current_page(TABLE) if is_sysadmin(current_user) else _managed_page()
    rows = project_rows(page.items, source_projects.cell_label(current_state().host_source))
    return listing.render(TABLE, page, rows, source_problem=source_projects.problem())


def _managed_page() -> Page:
    """The page asked for of the projects the current user may manage."""
    query, number, size = listing.requested()
    every = listing_page(current_state().session, PROJECTS, query, 1, EVERY_PROJECT,
                         listing.current_sort(TABLE))
    kept = [item for item in every.items if may_manage_project(current_user, item.name)]
    number = min(max(1, number or 1), max(1, math.ceil(len(kept) / size)))
    start = (number - 1) * size
    return Page(kept[start:start + size], len(kept), number, size)


def confirm_delete():
    """Ask to confirm deleting the selected projects; their registry keeps its images."""
    return actions.confirmation(PROJECT, "delete", actions.selected(PROJECT),
                                url_for("preheat.delete_projects"))


def delete():
    """Delete the selected projects; nothing in their registry is touched."""
    return actions.run_delete(PROJECT, url_for("preheat.delete_projects"))
