"""The JSON API: Harbor's /p2p/preheat, /registries, /projects and project preheat endpoints."""
from __future__ import annotations

from flask import Blueprint, request
from werkzeug.exceptions import NotFound

from ..access import leave_csrf_to_us, require_sysadmin_api
from ..source_projects import adopt_asked
from . import (audit, checks, document, errors, executions, instances, policies, projects,
               registries, repositories, webhooks)
from .payload import MAX_BODY
from .routing import ROUTED_METHODS

# The registries' webhook authenticates the registry by its own secret, not a sysadmin.
PUBLIC_ENDPOINTS = {"preheat_api.openapi", "preheat_api.registry_events"}


def make_blueprint() -> Blueprint:
    """Build the API blueprint: routes, access rules and JSON errors."""
    bp = Blueprint("preheat_api", __name__)
    bp.before_request(_before_request)
    bp.after_request(_no_store)
    errors.register(bp)
    for module in (document, instances, checks, audit, registries, webhooks, projects,
                   repositories, policies, executions):
        module.register(bp)
    document.assemble(bp)
    # Last and most general: any other URL under the prefix is a JSON 404.
    bp.add_url_rule("/", "unknown", _unknown, methods=ROUTED_METHODS,
                    defaults={"path": ""}, provide_automatic_options=False)
    bp.add_url_rule("/<path:path>", "unknown", _unknown, methods=ROUTED_METHODS,
                    provide_automatic_options=False)

    leave_csrf_to_us(bp)

    return bp


def _before_request():
    limit = request.max_content_length
    request.max_content_length = MAX_BODY if limit is None else min(limit, MAX_BODY)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    require_sysadmin_api()
    adopt_asked()
    return None


def _no_store(response):
    # Answers carry instance data for one sysadmin; no cache should keep them.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _unknown(path: str):
    """Answer any URL the API does not have."""
    raise NotFound("There is no such API resource; see openapi.json for the endpoints.")
