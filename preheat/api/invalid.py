"""A pydantic ValidationError as the one FieldError the API answers with.

pydantic says which constraint failed; the message says it the way the HTML
form does, through the shared rule of the field when there is one, and
never repeats a secret.
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from ..services.credentials import SECRET_KEYS, SECRET_LABELS
from ..services.projects import check_project_name
from ..validation import (FieldError, check_description, check_name, check_vendor,
                          normalize_endpoint)
from .fields import NO_CONTROL

READ_ONLY = ("id", "status", "setup_timestamp")
ADDRESSES = ("endpoint", "url", "public_url")
# The shared rule that says what is wrong with a value the pattern or length refused.
RULES = {"name": check_name, "description": check_description, "vendor": check_vendor,
         "project_name": check_project_name, **dict.fromkeys(ADDRESSES, normalize_endpoint)}
AUTH_INFO = 'Must be an object: {"username": ..., "password": ...} or {"token": ...}'
# What a value of the wrong JSON type is told.
TYPES = {"string_type": "Must be a string", "bool_type": "Must be true or false",
         "int_type": "Must be an integer"}
OBJECT_TYPES = ("model_type", "model_attributes_type", "dict_type")
MODES = {"auth_mode": "Auth Mode must be one of NONE, BASIC or OAUTH."}


@dataclass(frozen=True)
class Shape:
    """How the messages speak of one resource's payload: its noun, fields and object field."""

    noun: str
    fields: tuple
    read_only: tuple = READ_ONLY
    object_hint: str = AUTH_INFO  # what the payload's object field must look like
    nested_hint: str = "use username and password, or token."
    tags: tuple = ()  # the tags of nested unions, which are not part of the payload
    required: tuple = ()  # (field, message) for fields a variant requires


def first_error(error: ValidationError, body: dict, shape: Shape, why: str,
                tagged: bool = False) -> FieldError:
    """The error to report: unknown fields first, then the others in the body's order.

    `tagged`: the model is a union whose first location is the variant's tag
    (an auth mode), which is not part of the payload.
    """
    order = list(body)
    items = []
    for item in error.errors(include_url=False):
        loc = list(item["loc"])
        tag = loc.pop(0) if tagged else None
        loc = loc[:1] + [part for part in loc[1:] if part not in shape.tags]
        rank = order.index(loc[0]) if loc and loc[0] in order else len(order)
        items.append((item["type"] != "extra_forbidden", rank, loc, tag, item))
    _, _, loc, tag, item = min(items, key=lambda entry: entry[:2])
    return _field_error(item, loc, tag, shape, why)


def _field_error(item: dict, loc: list, tag, shape: Shape, why: str) -> FieldError:
    kind, value = item["type"], item.get("input")
    field = ".".join(label(part) for part in loc)
    if kind == "extra_forbidden":
        if len(loc) > 1:
            return FieldError(field, "Unknown field; " + shape.nested_hint)
        return FieldError(field, f"Unknown field; the fields of {_a(shape.noun)} are "
                                 + ", ".join(shape.fields) + ".")
    secret = _required_secret(loc, tag) if kind in ("missing", "string_too_short") or (
        value is None) else None
    if secret:
        return FieldError(f"auth_info.{secret}",
                          f"{SECRET_LABELS[secret]} is required for this auth mode.")
    required = dict(shape.required)
    if kind in ("missing", "string_too_short") and field in required:
        return FieldError(field, required[field])
    if kind == "missing":
        return FieldError(field, f"This field is required: {why}")
    if kind in OBJECT_TYPES:
        return FieldError(field, shape.object_hint)
    if kind in TYPES:
        suffix = " (it is read-only and ignored)." if field in shape.read_only else "."
        return FieldError(field, TYPES[kind] + suffix)
    if kind == "literal_error" and not isinstance(value, str):
        return FieldError(field, "Must be a string.")
    if kind == "literal_error":
        return FieldError(field, MODES.get(field) or _rule_message(field, value)
                          or f"Must be one of: {item['ctx']['expected']}.")
    if kind.startswith("string_"):
        return FieldError(field, _rule_message(field, value) or _ascii_hint(field, value)
                          or _constraint(kind, item))
    return FieldError(field, item["msg"])


def _required_secret(loc: list, tag) -> str | None:
    """The secret a missing or blank auth_info (or one of its keys) leaves out."""
    if loc == ["auth_info"] and SECRET_KEYS.get(tag):
        return SECRET_KEYS[tag][0]
    if len(loc) == 2 and loc[0] == "auth_info" and loc[1] in SECRET_LABELS:
        return loc[1]
    return None


def _rule_message(field: str, value) -> str | None:
    """What the field's shared rule says about `value`, if it refuses it."""
    rule = RULES.get(field)
    if rule is None or not isinstance(value, str):
        return None
    if value != value.strip():
        return "Must not start or end with white space."
    try:
        rule(value)
    except FieldError as error:
        return error.message
    return None


def _ascii_hint(field: str, value) -> str | None:
    """For an endpoint the form would take but the API's pattern does not: its ASCII form.

    The form turns an internationalised host name into its ASCII (punycode)
    spelling; the API takes only what its document describes, ASCII hosts.
    """
    if field not in ADDRESSES or not isinstance(value, str) or value.isascii():
        return None
    try:
        spelled = normalize_endpoint(value)
    except FieldError:
        return None
    return f"Write the host name in ASCII (punycode), as in {label(spelled, 200)}."


def _constraint(kind: str, item: dict) -> str:
    context = item.get("ctx", {})
    if kind == "string_too_long":
        return f"Must be at most {context['max_length']} characters."
    if kind == "string_pattern_mismatch" and context.get("pattern") == NO_CONTROL:
        return "Must not contain control characters."
    if kind == "string_pattern_mismatch":
        return "Must match the pattern the API document gives for this field."
    return item["msg"]


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def label(text, limit: int = 64) -> str:
    """`text` made safe to repeat in a message: printable and short."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return text[:limit] + ("..." if len(text) > limit else "")
