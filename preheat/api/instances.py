"""The instance resource: list, create, read, replace, patch and delete."""
from __future__ import annotations

from flask import jsonify, url_for

from ..state import current_state
from ..services import instances
from ..services.query import INSTANCES
from ..validation import FieldError
from . import query
from .models import InstanceCreate, InstancePatch, InstanceReplace
from .openapi import PAGING, Reply, created, operation
from .parameters import InstanceQuery
from .payload import creation, instance_fields, json_object, replacement
from .responses import Instance, Instances
from .routing import route
from .serialize import instance_json

STORED = {200: Reply("The instance as stored.", Instance)}


def register(bp) -> None:
    route(bp, "/p2p/preheat/instances", "instances", GET=list_instances,
          POST=create_instance)
    route(bp, "/p2p/preheat/instances/<name>", "instance", GET=get_instance,
          PUT=replace_instance, PATCH=update_instance, DELETE=delete_instance)


@operation("ListInstances", {200: Reply("One page of instances.", Instances, PAGING)},
           query=InstanceQuery, errors=(400,))
def list_instances():
    """List instances as `q`, `sort`, `page` and `page_size` ask, with paging headers."""
    return query.listed(current_state().session, INSTANCES, ".instances", instance_json)


@operation("CreateInstance", {201: created(Instance, "The new instance's URL.")},
           body=InstanceCreate,
    errors=(409,), example={"vendor": "dragonfly", "name": "df-prod",
                            "description": "Dragonfly manager, production",
                            "endpoint": "https://dragonfly.example:8080", "auth_mode": "OAUTH",
                            "auth_info": {"token": "personal-access-token"}, "enabled": True,
                            "default": True, "insecure": False})
def create_instance():
    """Create an instance; answer 201 with it and its Location."""
    data = creation(json_object())
    state = current_state()
    instance = instances.create(state.session, state.secret_box, data)
    return jsonify(instance_json(instance)), 201, {"Location": url_for(".instance",
                                                                       name=instance.name)}


@operation("GetInstance", {200: Reply("The instance.", Instance)}, errors=(404,))
def get_instance(name: str):
    """Show one instance."""
    return jsonify(instance_json(find(name)))


@operation("UpdateInstance", STORED, body=InstanceReplace, errors=(404, 409),
           description="vendor cannot change. An empty auth_info with an unchanged auth_mode"
                       " keeps the stored secrets.")
def replace_instance(name: str):
    """Replace an instance with the body, as Harbor's PUT does."""
    return _change(name, replacement)


@operation("PatchInstance", STORED, body=InstancePatch, errors=(404, 409),
           example={"enabled": False})
def update_instance(name: str):
    """Change only the fields the body names."""
    return _change(name, instance_fields)


def _change(name: str, fields_of):
    instance = find(name)
    body = json_object()
    data = fields_of(body)
    _check_id(body, instance)
    state = current_state()
    instances.update(state.session, state.secret_box, instance, data)
    return jsonify(instance_json(instance))


@operation("DeleteInstance", {200: Reply("Deleted (no body).")}, errors=(404, 412))
def delete_instance(name: str):
    """Delete an instance unless a preheat policy uses it (then 412)."""
    instances.delete(current_state().session, [find(name)])
    return "", 200


def find(name: str):
    """The instance named `name` (any case), or NotFound."""
    return instances.get_by_name(current_state().session, name)


def _check_id(body: dict, instance) -> None:
    given = body.get("id")
    if given is not None and given != instance.id:
        raise FieldError("id", f"Does not match instance {instance.name} (id {instance.id});"
                               " the URL names the instance to change.")
