"""The registry resource, in Harbor's shapes: list, create, read, update, delete and ping."""
from __future__ import annotations

from flask import jsonify, url_for

from ..health import checks, claims
from ..providers import CheckResult
from ..services import registries
from ..services.query import REGISTRIES
from ..state import current_state
from . import query
from .errors import ApiError
from .openapi import PAGING, Reply, created, operation
from .parameters import RegistryQuery, whole_id
from .payload import json_object
from .registry_models import RegistryCreate, RegistryPing, RegistryUpdate
from .registry_payload import FLAT, NESTED, creation, named, ping, update
from .responses import Errors, Health, Registries, Registry
from .routing import route
from .serialize import check_json, registry_json

NOT_FOUND = {404: Reply("No such registry.", Errors)}
CONFLICT = {409: Reply("Another registry has this name or URL, or the stored credentials"
                       " cannot be decrypted.", Errors)}
EXAMPLE = {"name": "hub-mirror", "description": "Images for the cluster",
           "url": "https://registry.example:5000", "type": "docker-registry",
           "credential": {"type": "basic", "access_key": "preheat",
                          "access_secret": "registry-password"}, "insecure": False}


def register(bp) -> None:
    route(bp, "/registries", "registries", GET=list_registries, POST=create_registry)
    route(bp, "/registries/ping", "registry_ping", POST=ping_registry)
    route(bp, "/registries/<id>", "registry", GET=get_registry, PUT=update_registry,
          DELETE=delete_registry)


@operation("ListRegistries", {200: Reply("One page of registries.", Registries, PAGING)},
           query=RegistryQuery, errors=(400,))
def list_registries():
    """List registries as `q`, `sort`, `page` and `page_size` ask, with paging headers."""
    return query.listed(current_state().session, REGISTRIES, ".registries", registry_json,
                        harbor_name=True)


BY_ID = {"id": "id"}


@operation("CreateRegistry", {201: created(Registry, "The new registry's URL.", {
    "GetRegistry": BY_ID, "UpdateRegistry": BY_ID, "DeleteRegistry": BY_ID}), **CONFLICT},
    body=RegistryCreate, errors=(409,), example=EXAMPLE)
def create_registry():
    """Create a registry; answer 201 with it and its Location."""
    data = creation(json_object())
    state = current_state()
    with named(NESTED):
        registry = registries.create(state.session, state.secret_box, data)
    return jsonify(registry_json(registry)), 201, {"Location": url_for(".registry",
                                                                       id=registry.id)}


@operation("GetRegistry", {200: Reply("The registry.", Registry), **NOT_FOUND}, errors=(404,))
def get_registry(id: str):
    """Show one registry."""
    return jsonify(registry_json(find(id)))


@operation("UpdateRegistry", {200: Reply("The registry as stored.", Registry), **NOT_FOUND,
                              **CONFLICT},
           body=RegistryUpdate, errors=(404, 409), example={"access_secret": "new-password"},
           description="Only the fields sent (and not null) change. Changing the URL's origin"
                       " needs the password again.")
def update_registry(id: str):
    """Change the fields the body gives, as Harbor's RegistryUpdate does."""
    registry = find(id)
    data = update(json_object())
    state = current_state()
    with named(FLAT):
        registries.update(state.session, state.secret_box, registry, data)
    return jsonify(registry_json(registry))


@operation("DeleteRegistry", {200: Reply("Deleted (no body)."), **NOT_FOUND,
                              412: Reply("Projects use the registry; the message names them.",
                                         Errors)}, errors=(404, 412))
def delete_registry(id: str):
    """Delete a registry unless projects use it (then 412)."""
    registries.delete(current_state().session, [find(id)])
    return "", 200


@operation("PingRegistry", {200: Reply("The registry answers as a registry, and these"
                                       " credentials may use it.", Health), **NOT_FOUND},
           body=RegistryPing, errors=(404,), example={"id": 1},
           description="With a non-null id, the stored registry is checked with its stored"
                       " settings, or with the fields the body also sends (a blank"
                       " access_secret keeps the stored password); only a check of the stored"
                       " settings is kept as its status. Otherwise the body is an unsaved"
                       " registry. A failed check is a 400 whose message says why.")
def ping_registry():
    """Check a stored registry ({"id": N}) or the unsaved one in the body; 400 says why not."""
    stored_id, fields = ping(json_object())
    state = current_state()
    registry = find(stored_id) if stored_id is not None else None
    name, registry_id = (registry.name, registry.id) if registry else (None, None)
    if registry is not None and not fields:
        target = checks.prepare(state.secret_box, registry)
    else:
        with named(FLAT):
            target = registries.unsaved(state.secret_box, {**_settings(registry), **fields},
                                        registry)
    with state.on_demand.slot():
        result = target if isinstance(target, CheckResult) else checks.test_registry(
            state.session, state.registries, target, name=name, registry_id=registry_id)
    if registry is not None and not fields:
        claims.REGISTRIES.record(state.session, registry_id, result)
    if not result.ok:
        raise ApiError(400, result.reason)
    return jsonify(check_json(result))


def _settings(registry) -> dict:
    """What a ping of `registry` tests unless the body says otherwise."""
    if registry is None:
        return {}
    return {"url": registry.url, "auth_mode": registry.auth_mode, "auth_info": {},
            "insecure": registry.insecure}


def find(registry_id):
    """The registry with this id (a number, or the URL's digits), or NotFound."""
    return registries.get(current_state().session, whole_id(registry_id, "Registry"))
