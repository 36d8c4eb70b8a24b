"""The API's own description: the OpenAPI document and the provider list."""
from __future__ import annotations

from flask import jsonify, url_for

from ..providers import PROVIDERS
from . import openapi
from .fields import Endpoint, EndpointOrEmpty, Name
from .openapi import Reply, operation
from .parameters import ApiPath
from .policy_models import PolicyPath
from .repository_models import RepositoryPath
from .responses import Providers
from .routing import operations, route
from .serialize import provider_json

INFO = {
    "title": "Preheat P2P provider API",
    "version": "2.0",
    "description": (
        "Harbor-compatible management of P2P preheat provider instances (Dragonfly, Kraken),"
        " of the registries the images to preheat live in, and of their projects (a"
        " registry's namespaces), in the shapes of Harbor's own API.\n\n"
        "Authentication: HTTP Basic with a sysadmin's username and password, or the browser"
        " session of a logged-in sysadmin. A request with an Authorization header is judged by"
        " that header alone and needs no CSRF token; a session-authenticated POST, PUT, PATCH"
        " or DELETE must send the page's CSRF token in the X-CSRFToken header.\n\n"
        "Bodies are JSON (Content-Type: application/json), at most 64 KiB. Unknown fields are"
        " refused with a 400 naming them, so a misspelt field never goes unnoticed; the"
        " read-only fields id, status and setup_timestamp may be sent back as GET returned them"
        " and are ignored (a PUT or PATCH whose id is not the instance's own is refused)."
        " auth_info and a registry's access_secret are write-only: no response ever contains"
        " them.\n\n"
        'Every error is {"errors": [{"code", "message", "field"?}]}; field names the offending'
        " input when there is one."),
}


class PathParameters(ApiPath, RepositoryPath, PolicyPath):
    """Every parameter the API's paths name."""


def register(bp) -> None:
    def serve_document():
        """Serve the OpenAPI document, its server set to where this API is mounted."""
        return served(bp.preheat_document)

    route(bp, "/openapi.json", "openapi", GET=serve_document)
    route(bp, "/p2p/preheat/providers", "providers", GET=list_providers)


def assemble(bp) -> None:
    """Build the document of every operation routed on `bp`, once, when the API is made."""
    bp.preheat_document = openapi.build(operations(bp), PathParameters, INFO,
                                        {"Endpoint": Endpoint, "EndpointOrEmpty": EndpointOrEmpty,
                                         "Name": Name})


def served(document: dict):
    """`document` as JSON, its server the URL this blueprint is mounted at."""
    base = url_for(".openapi").rsplit("/", 1)[0]
    return jsonify({**document, "servers": [{"url": base or "/"}]})


@operation("ListProviders", {200: Reply("The providers.", Providers)})
def list_providers():
    """List the provider drivers Preheat can talk to."""
    return jsonify([provider_json(provider) for provider in PROVIDERS.values()])
