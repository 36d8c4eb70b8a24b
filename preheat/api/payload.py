"""Reading request bodies: JSON only, bounded, and validated by the models of `models`.

The models say which fields a body has and of which type and shape; the
shared rules in `validation` and the service layer still decide what the
stored instance becomes (a normalized endpoint, kept secrets).
"""
from __future__ import annotations

import json

from flask import request
from pydantic import RootModel, ValidationError

from .errors import ApiError
from .invalid import READ_ONLY, Shape, first_error, label
from .models import (STORED, InstanceCreate, InstancePatch, InstancePing, InstanceReplace,
                     ping_kind)

MAX_BODY = 64 * 1024
FIELDS = tuple(InstancePatch.model_fields)
INSTANCE = Shape("instance", FIELDS)
# PUT replaces the whole instance: an absent field takes the model's default,
# but the vendor, which cannot change, stays as stored; no secrets are {}.
PUT_DEFAULTS = {name: field.get_default() for name, field in InstanceReplace.model_fields.items()
                if not field.is_required() and name not in (*READ_ONLY, "vendor")}
PUT_DEFAULTS["auth_info"] = {}


def json_object() -> dict:
    """The request body as a JSON object; 415, 413 or 400 when it is not one."""
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(400, "The request body is empty; send a JSON object.")
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ApiError(400, "The body is not valid JSON: it is nested too deeply.") from None
    except ValueError as exc:
        raise ApiError(400, f"The body is not valid JSON: {label(exc, 200)}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def instance_fields(body: dict) -> dict:
    """PATCH: the writable fields `body` sends, as the service layer takes them."""
    return _sent(_valid(InstancePatch, body, "PATCH sends the fields to change."), body)


def creation(body: dict) -> dict:
    """POST: the fields of a new instance, with the secrets its auth mode needs."""
    instance_fields(body)  # types and shapes first, in the words of the field
    return _sent(_valid(InstanceCreate, body, "a new instance needs one."), body)


def replacement(body: dict) -> dict:
    """PUT: every writable field; an absent one takes its default."""
    instance_fields(body)
    why = "PUT replaces the whole instance (PATCH changes some fields)."
    return {**PUT_DEFAULTS, **_sent(_valid(InstanceReplace, body, why), body)}


def ping(body: dict) -> tuple[int | None, dict]:
    """A ping: the stored instance's id (or None) and the fields of the unsaved instance."""
    instance_fields(body)
    why = "an unsaved instance to test needs one (or send the id of a stored instance)."
    valid = _valid(InstancePing, body, why)
    return (valid.id if ping_kind(body) == STORED else None), _sent(valid, body)


def _valid(model, body: dict, why: str):
    return validated(model, body, why, INSTANCE)


def validated(model, body: dict, why: str, shape: Shape):
    """`body` as `model` validates it, or the FieldError of its first error in `shape`'s words."""
    try:
        valid = model.model_validate(body)
    except ValidationError as error:
        raise first_error(error, body, shape, why,
                          tagged=issubclass(model, RootModel)) from None
    return valid.root if isinstance(valid, RootModel) else valid


def _sent(valid, body: dict) -> dict:
    """The writable fields `body` sends, as validated."""
    data = valid.model_dump(include=set(body) - set(READ_ONLY))
    if "auth_info" in data:  # only the secrets sent: an absent one is kept, not cleared
        sent = body["auth_info"] or {}
        data["auth_info"] = {key: value for key, value in (data["auth_info"] or {}).items()
                             if key in sent}
    return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")
