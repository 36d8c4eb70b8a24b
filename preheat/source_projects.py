"""A host's image source names the projects: Preheat stores each as it is first asked for.

With `init_app(app, artifact_source=...)` projects are not created in
Preheat: a request for the project list stores every project the source
lists that Preheat lacks, and a request for one project's pages stores that
project if the source lists it. Their policies and executions then belong to
them as to any project. A source that cannot answer leaves the stored
projects as they are, and the Projects page says why.
"""
from __future__ import annotations

import logging

from flask import g, request
from flask_login import current_user
from sqlalchemy import select

from .access import PROJECT_API, PROJECT_API_ARGUMENT, PROJECT_LIST, PROJECT_PAGE_ARGUMENT, \
    PROJECT_PAGES
from .models import Project
from .services import projects
from .state import current_state

log = logging.getLogger(__name__)
LISTS = {PROJECT_LIST, "preheat_api.projects"}
# Routes of one project besides the policy routes a maintainer reaches: (endpoint, argument).
NAMED = {**{endpoint: PROJECT_PAGE_ARGUMENT for endpoint in PROJECT_PAGES},
         **{endpoint: PROJECT_API_ARGUMENT for endpoint in PROJECT_API},
         "preheat_api.project": "project_name_or_id",
         "preheat_api.repositories": PROJECT_API_ARGUMENT,
         "preheat_api.artifacts": PROJECT_API_ARGUMENT}
UNREADABLE = "The projects of {label} could not be listed: {reason}"
NOT_CREATED = ("Projects come from the host's image source here: each shows on the Projects"
               " page once the source lists it, and cannot be created in Preheat.")


def adopt_asked() -> None:
    """before_request: store the host source's projects this request is about."""
    source = current_state().host_source
    if source is None or not current_user.is_authenticated:
        return
    if request.endpoint in LISTS:
        _adopt(source, None)
        return
    name = (request.view_args or {}).get(NAMED.get(request.endpoint, ""))
    if isinstance(name, str) and not _stored(name):
        _adopt(source, name)


def problem() -> str | None:
    """Why this request could not list the host source's projects, or None."""
    return g.get("preheat_source_problem")


def label(source) -> str:
    """What the pages call the host's image source, within a sentence."""
    return getattr(source, "label", None) or "the host's image source"


def cell_label(source) -> str:
    """What the pages call the host's image source, alone in a table cell."""
    text = label(source)
    return text[:1].upper() + text[1:]


def _adopt(source, wanted: str | None) -> None:
    session = current_state().session
    try:
        names = list(source.projects())
    except Exception as error:  # the host's code: whatever it raises, the page still shows
        reason = getattr(error, "reason", None) or str(error) or type(error).__name__
        log.warning("the host's image source could not list its projects: %s", reason)
        g.preheat_source_problem = UNREADABLE.format(label=label(source), reason=reason)
        return
    projects.adopt(session, names if wanted is None else [n for n in names if n == wanted])


def _stored(name: str) -> bool:
    return current_state().session.scalar(select(Project.id).where(Project.name == name)) \
        is not None
