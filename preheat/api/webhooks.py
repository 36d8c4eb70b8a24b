"""The registries' webhook: notifications in, and the secret that authenticates them.

`POST /registries/{id}/events` is the one route a registry calls rather than
a sysadmin: it is authenticated by the registry's webhook secret alone (in
`Authorization: Bearer`), answers as soon as the events are recorded, and
leaves the executions to the dispatcher.
"""
from __future__ import annotations

import logging

from flask import jsonify, request, url_for
from pydantic import ValidationError
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from .. import metrics
from ..events import inbox
from ..logs import log_event
from ..models import Registry
from ..services import webhooks
from ..services.errors import NotFound
from ..state import current_state
from .errors import ApiError
from .event_models import Envelope, EventsReceived, WebhookSecret
from .openapi import Reply, operation
from .parameters import whole_id
from .payload import json_object
from .registries import find
from .responses import Errors
from .routing import route

CHALLENGE = WWWAuthenticate("bearer", {"realm": "Preheat webhook"})
EVENTS = "application/vnd.docker.distribution.events.v1+json"
REFUSED = "Send the registry's webhook secret in the Authorization header: Bearer <secret>."


def register(bp) -> None:
    route(bp, "/registries/<id>/events", "registry_events", POST=receive_events)
    route(bp, "/registries/<id>/webhook-secret", "registry_webhook_secret",
          POST=generate_secret)


def webhook_url(registry: Registry) -> str:
    """Where `registry` sends its notifications."""
    return url_for("preheat_api.registry_events", id=registry.id, _external=True)


@operation("ReceiveRegistryEvents", {
    200: Reply("Recorded: the events that are tag pushes of a manifest run the event-based"
               " policies they match, once each, in the background.", EventsReceived),
    401: Reply("No such registry, or not its webhook secret; nothing was recorded.", Errors)},
    body=Envelope, errors=(400,), media_types=(EVENTS, "application/json"),
    security=[{"webhookSecret": []}],
    description="Configure it in the registry's notifications endpoint (the registry page"
                " shows the block to paste). Registries resend an event until they get a 2xx:"
                " an event id already received changes nothing.")
def receive_events(id: str):
    """Record a registry's notification envelope; its pushes are preheated in the background."""
    state = current_state()
    registry = _registry_or_none(id)
    refused = webhooks.refusal(state.secret_box, registry,
                               request.headers.get(webhooks.HEADER))
    if refused:
        _refused(registry, refused)
        raise Unauthorized(REFUSED, www_authenticate=CHALLENGE)
    envelope = _envelope(json_object())
    counts = inbox.record(state.session, registry, envelope.events)
    metrics.webhook_received(counts.recorded, counts.duplicates, counts.ignored)
    if counts.recorded:
        state.executions.wake()
    return jsonify(EventsReceived(**vars(counts)).model_dump())


@operation("GenerateRegistryWebhookSecret", {
    201: Reply("The new secret, in the header the registry must send; no other answer ever"
               " holds it.", WebhookSecret), 404: Reply("No such registry.", Errors)},
    errors=(404,), description="The previous secret stops working at once.")
def generate_secret(id: str):
    """Generate a new webhook secret for a registry; answer it once."""
    registry = find(id)
    state = current_state()
    secret = webhooks.generate(state.session, state.secret_box, registry)
    answer = WebhookSecret(url=webhook_url(registry),
                           headers={webhooks.HEADER: webhooks.header_value(secret)})
    return jsonify(answer.model_dump()), 201


def _refused(registry: Registry | None, reason: str) -> None:
    """Count and log a refused delivery: who it claimed to be, why, and from where."""
    metrics.webhook_refused()
    log_event("webhook.refused", logging.WARNING,
              registry=registry.id if registry is not None else "unknown", reason=reason,
              remote=request.remote_addr)


def _registry_or_none(registry_id: str) -> Registry | None:
    # An unknown registry is refused as a wrong secret is: the route names no registries.
    try:
        number = whole_id(registry_id, "Registry")
    except NotFound:
        return None
    return current_state().session.get(Registry, number)


def _envelope(body: dict) -> Envelope:
    try:
        return Envelope.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ApiError(400, f"{where}: {first['msg']}", where or None) from None
