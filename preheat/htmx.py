"""The few htmx conventions Preheat's views share."""
from __future__ import annotations

import json

from flask import make_response, render_template, request

INSTANCES_CHANGED = "preheat:instances-changed"
REGISTRIES_CHANGED = "preheat:registries-changed"
PROJECTS_CHANGED = "preheat:projects-changed"
POLICIES_CHANGED = "preheat:policies-changed"
EXECUTIONS_CHANGED = "preheat:executions-changed"
CLOSE_DIALOG = "preheat:close-dialog"
TOAST = "preheat:toast"


def is_htmx() -> bool:
    """Whether htmx sent this request (and wants a partial back)."""
    return request.headers.get("HX-Request") == "true"


def page_or_partial(page_template: str, partial_template: str, /, status: int = 200,
                    **context):
    """Render the full page for a normal request, the partial for htmx."""
    template = partial_template if is_htmx() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def done(*events: str, status: int = 204, toast: str | None = None):
    """An empty response that fires `events` in the browser (HX-Trigger).

    `toast` is a success message the page shows for a few seconds. Its event
    comes first: it fires on the element that asked, while that is still in the
    page, before a later event closes the dialog holding it.
    """
    triggers = {TOAST: {"message": toast}} if toast else {}
    triggers.update({event: True for event in events})
    response = make_response("", status)
    response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


def refresh_page(status: int = 401):
    """Ask htmx to reload the whole page (e.g. to reach the login page)."""
    response = make_response("Your session has ended; reloading.", status)
    response.headers["HX-Refresh"] = "true"
    return response
