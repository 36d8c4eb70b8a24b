"""The Projects page: each project, its registry and counts; Delete in its Actions.

Its own routes sit under /projects/-/: "-" is no project name, so they never
hide a project's page at /projects/<name>.
"""
from __future__ import annotations

from flask import url_for

from ..services.registry_pages import PROJECTS
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


def list_projects():
    """Show the project table."""
    page = listing.current_page(TABLE)
    return listing.render(TABLE, page, project_rows(page.items))


def confirm_delete():
    """Ask to confirm deleting the selected projects; their registry keeps its images."""
    return actions.confirmation(PROJECT, "delete", actions.selected(PROJECT),
                                url_for("preheat.delete_projects"))


def delete():
    """Delete the selected projects; nothing in their registry is touched."""
    return actions.run_delete(PROJECT, url_for("preheat.delete_projects"))
