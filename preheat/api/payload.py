"""Reading request bodies: JSON only, bounded, and typed field by field.

The shared rules in `validation` and the service layer decide what a valid
name or endpoint is; this module only makes sure each value has the JSON type
the document promises, so a wrong type is a 400 naming the field, not a 500.
"""
from __future__ import annotations

import json

from flask import request

from ..models import AUTH_MODES
from ..validation import CONTROL_CHARS, DESCRIPTION_MAX, SECRET_MAX, FieldError, check_vendor
from .errors import ApiError

MAX_BODY = 64 * 1024
STRING_FIELDS = ("name", "vendor", "endpoint", "auth_mode")
FLAG_FIELDS = ("enabled", "default", "insecure")
SECRET_KEYS = ("username", "password", "token")
# Sent back by clients that PUT what they got from GET (Harbor's UI and Terraform
# do); their types are checked, their values ignored.
READ_ONLY = {"id": int, "status": str, "setup_timestamp": int}
WRITABLE = (*STRING_FIELDS, "description", "auth_info", *FLAG_FIELDS)
# What PUT sets when a field is absent: PUT replaces the whole instance.
PUT_DEFAULTS = {"description": None, "auth_mode": "NONE", "auth_info": {}, "enabled": True,
                "default": False, "insecure": False}
PUT_REQUIRED = ("name", "endpoint")
CREATE_REQUIRED = ("vendor", "name", "endpoint")


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
        raise ApiError(400, f"The body is not valid JSON: {_label(exc, 200)}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def instance_fields(body: dict) -> dict:
    """The writable fields of `body`, type-checked, as the service layer takes them."""
    unknown = [key for key in body if key not in WRITABLE and key not in READ_ONLY]
    if unknown:
        raise FieldError(_label(unknown[0]), "Unknown field; the fields of an instance are "
                                             + ", ".join((*WRITABLE, *READ_ONLY)) + ".")
    for key, kind in READ_ONLY.items():
        if key in body:
            _check_read_only(key, kind, body[key])
    return {key: _typed(key, value) for key, value in body.items() if key in WRITABLE}


def creation(body: dict) -> dict:
    """The fields of a new instance; vendor, name and endpoint are required."""
    fields = instance_fields(body)
    _require(fields, CREATE_REQUIRED, "a new instance needs one.")
    return fields


def replacement(body: dict) -> dict:
    """The fields for a full PUT: absent optional fields go back to their defaults."""
    fields = instance_fields(body)
    _require(fields, PUT_REQUIRED, "PUT replaces the whole instance (PATCH changes some fields).")
    return {**PUT_DEFAULTS, **fields}


def _require(fields: dict, keys, why: str) -> None:
    for key in keys:
        if key not in fields:
            raise FieldError(key, f"This field is required: {why}")


def _typed(key: str, value):
    if key in FLAG_FIELDS:
        if not isinstance(value, bool):
            raise FieldError(key, "Must be true or false.")
        return value
    if key == "auth_info":
        return _auth_info(value)
    if key == "description":
        if value is None:
            return None
        text = _string(key, value)
        if len(text) > DESCRIPTION_MAX:
            raise FieldError(key, f"Description must be at most {DESCRIPTION_MAX} characters.")
        return text
    text = _string(key, value)
    if text != text.strip():
        raise FieldError(key, "Must not start or end with white space.")
    if key == "auth_mode" and text not in AUTH_MODES:
        raise FieldError(key, "Auth Mode must be one of NONE, BASIC or OAUTH.")
    if key == "vendor":
        check_vendor(text)
    return text


def _auth_info(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FieldError("auth_info", 'Must be an object: {"username": ..., "password": ...}'
                                      ' or {"token": ...}.')
    for key, secret in value.items():
        if key not in SECRET_KEYS:
            raise FieldError(f"auth_info.{_label(key)}",
                             "Unknown field; use username and password, or token.")
        if secret is not None:
            _secret(f"auth_info.{key}", secret)
    return dict(value)


def _secret(field: str, value) -> None:
    """Check a credential whatever the auth mode; the message never repeats it."""
    text = _string(field, value)
    if len(text) > SECRET_MAX:
        raise FieldError(field, f"Must be at most {SECRET_MAX} characters.")
    if CONTROL_CHARS.search(text):
        raise FieldError(field, "Must not contain control characters.")


def _string(key: str, value) -> str:
    if not isinstance(value, str):
        raise FieldError(key, "Must be a string.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldError(key, "Must be valid Unicode text.") from None
    return value


def _check_read_only(key: str, kind: type, value) -> None:
    if value is None:
        return
    if kind is int and whole_number(value) is None:
        raise FieldError(key, "Must be an integer (it is read-only and ignored).")
    if kind is str and not isinstance(value, str):
        raise FieldError(key, "Must be a string (it is read-only and ignored).")


def whole_number(value) -> int | None:
    """`value` as an int if JSON Schema would call it an integer (3 or 3.0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _label(text, limit: int = 64) -> str:
    """`text` made safe to repeat in a message: printable and short."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return text[:limit] + ("..." if len(text) > limit else "")
