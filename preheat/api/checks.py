"""Connection tests and health: ping an instance, read or refresh its health."""
from __future__ import annotations

from flask import jsonify, request

from ..state import current_state
from ..health import checks, claims
from ..services import instances
from .errors import ApiError
from .instances import find
from .models import InstancePing
from .openapi import Reply, operation
from .parameters import HealthQuery, whole_id
from .payload import json_object
from .payload import ping as ping_body
from .responses import Health
from .routing import route
from .serialize import check_json, stored_health_json

FLAGS = {"true": True, "false": False}


def register(bp) -> None:
    # Only POST: other methods on .../ping belong to an instance named "ping".
    route(bp, "/p2p/preheat/instances/ping", "ping", claim_all_methods=False, POST=ping)
    route(bp, "/p2p/preheat/instances/<name>/health", "health", GET=instance_health,
          POST=refresh_health)


@operation("PingInstances", {200: Reply("The provider is healthy.", Health)},
           body=InstancePing, errors=(404,),
           example={"vendor": "kraken", "endpoint": "http://kraken-proxy.example:10050"},
           description="With a non-null id, the stored instance is checked with its stored"
                       " credentials and the result is kept as its health. Otherwise the body"
                       " is an unsaved instance and nothing is stored. A failed check is a 400"
                       " whose message says why.")
def ping():
    """Check a stored instance ({"id": N}) or the unsaved one in the body; 400 says why not."""
    stored_id, fields = ping_body(json_object())
    if stored_id is not None:
        result = _check_stored(_stored(stored_id), audited=True)
    else:
        state = current_state()
        target = instances.unsaved_target(state.secret_box, fields)
        with state.on_demand.slot():
            result = checks.test_connection(state.session, fields["vendor"], target, state.http,
                                            name=fields.get("name"))
    if not result.ok:
        raise ApiError(400, result.reason)
    return jsonify(check_json(result))


@operation("GetInstanceHealth", {200: Reply("The stored health result.", Health)},
           query=HealthQuery, errors=(400, 404))
def instance_health(name: str):
    """Show an instance's stored health (reading only: POST checks it)."""
    instance = find(name)
    refresh = request.args.get("refresh", "false")
    if refresh not in FLAGS:
        raise ApiError(400, "refresh must be true or false.", "refresh")
    if FLAGS[refresh]:
        # A GET with a side effect is one a cross-site link could trigger.
        raise ApiError(400, "A GET only reads the stored health: POST to this URL to check"
                            " the instance now.", "refresh")
    return jsonify(stored_health_json(instance))


@operation("CheckInstanceHealth", {200: Reply("The health result just stored; an unhealthy"
                                              " provider is still a 200.", Health)},
           errors=(404, 409),
           description="The check is claimed like any background check, so no two processes"
                       " check one instance at once. A deactivated instance is never checked:"
                       " 409.")
def refresh_health(name: str):
    """Check an instance now with the background checks, and show the stored result.

    The check runs as any background check does: claimed first, so no other
    process checks the instance at the same time, and never for a
    deactivated instance. Should it not end within the client's bounds, the
    answer is the health stored so far.
    """
    state = current_state()
    instance = find(name)
    if not instance.enabled:
        raise ApiError(409, f"Instance {instance.name!r} is deactivated, and deactivated"
                            " instances are never checked: enable it first.")
    instance_id = instance.id
    checks.release_connection(state.session)
    with state.on_demand.slot():
        state.health.check_now(instance_id, timeout=state.health.longest_check)
    return jsonify(stored_health_json(find(name)))


def _check_stored(instance, audited: bool = False):
    """Check a stored instance with its stored credentials and keep the result.

    `audited`: a user's test of the instance, recorded in the audit log as the
    page's Test connection of a saved instance is.
    """
    state = current_state()
    instance_id, name, endpoint = instance.id, instance.name, instance.endpoint
    with state.on_demand.slot():
        result = checks.check_instance(state.secret_box, instance, state.http, state.session)
    if audited:
        checks.audit_test(state.session, result, endpoint=endpoint, name=name,
                          instance_id=instance_id)
    claims.record(state.session, instance_id, result)
    return result


def _stored(instance_id: int):
    return instances.get(current_state().session, whole_id(instance_id, "Instance"))

