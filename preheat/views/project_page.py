"""A project's own page: what it is and where its images come from."""
from __future__ import annotations

from flask import render_template

from ..services import projects
from ..state import current_state


def register(bp) -> None:
    bp.add_url_rule("/projects/<name>", "project", show_project)


def show_project(name: str):
    """Show the project named `name`."""
    project = projects.get_by_name(current_state().session, name)
    return render_template("preheat/project.html", project=project, preheat_title=project.name)
