"""Harbor's registry bodies as the registry service takes them, and its errors in their words.

Harbor nests the credentials in `credential` on POST and sends them flat
(`credential_type`, `access_key`, `access_secret`) on PUT and ping; the
service speaks of auth_mode and auth_info {username, password}.
"""
from __future__ import annotations

from contextlib import contextmanager

from ..crypto import SecretError
from ..services.errors import Conflict
from ..validation import FieldError
from .errors import ApiError
from .invalid import Shape
from .payload import validated
from .registry_models import (CREDENTIAL_TAGS, STORED, ProjectCreate, RegistryCreate,
                              RegistryPing, RegistryPingUnsaved, RegistryUpdate, ping_kind)

CREDENTIAL = ('Must be an object: {"type": "basic", "access_key": ..., "access_secret": ...}'
              ' or null')
REGISTRY = Shape("registry", tuple(RegistryCreate.model_fields),
                 read_only=("id", "status", "creation_time", "update_time", "webhook_url",
                            "webhook_secret_hint"),
                 object_hint=CREDENTIAL, nested_hint="use type, access_key and access_secret.",
                 tags=CREDENTIAL_TAGS, required=(
                     ("credential.access_key", "A password needs a user name: give access_key"
                                               " too, or neither."),
                     ("credential.access_secret", "The password of access_key is required.")))
UPDATE = Shape("registry update", tuple(RegistryUpdate.model_fields), read_only=(),
               object_hint="Must be an object.")
PING = Shape("registry ping", ("id", *(f for f in RegistryPingUnsaved.model_fields if f != "id")),
             read_only=(), object_hint="Must be an object.")
PROJECT = Shape("project", tuple(ProjectCreate.model_fields), read_only=(),
                object_hint="Must be an object.")
NESTED = {"username": "credential.access_key", "password": "credential.access_secret",
          "auth_mode": "credential.type", "endpoint": "url"}
FLAT = {"username": "access_key", "password": "access_secret", "auth_mode": "credential_type",
        "endpoint": "url"}
SETTINGS = ("name", "description", "url", "public_url", "insecure")


@contextmanager
def named(fields: dict):
    """Re-raise the service's FieldError and Conflict under the body's own field names."""
    try:
        yield
    except FieldError as error:
        raise FieldError(fields.get(error.field, error.field), error.message) from None
    except Conflict as error:
        raise Conflict(fields.get(error.field, error.field), error.message) from None
    except SecretError as error:
        raise ApiError(409, f"The stored credentials cannot be used: {error}. Send access_key"
                            " and access_secret again to replace them.",
                       fields["password"]) from None


def creation(body: dict) -> dict:
    """POST: the new registry's fields, as the service takes them."""
    valid = validated(RegistryCreate, body, "a new registry needs one.", REGISTRY)
    data = {field: getattr(valid, field) for field in SETTINGS}
    credential = valid.credential
    key, secret = (credential.access_key, credential.access_secret) if credential else (None,
                                                                                         None)
    with named(NESTED):
        return {**data, **_auth(key, secret, mode_kept=False)}


def update(body: dict) -> dict:
    """PUT: only the fields the body gives (not null), as the service takes them."""
    valid = validated(RegistryUpdate, body, "", UPDATE)
    data = {field: value for field in SETTINGS
            if (value := getattr(valid, field)) is not None}
    with named(FLAT):
        return {**data, **_auth(valid.access_key, valid.access_secret, mode_kept=True)}


def ping(body: dict) -> tuple[int | None, dict]:
    """A ping: the stored registry's id (or None), and the fields to test instead of its own."""
    why = "an unsaved registry to test needs one (or send the id of a stored registry)."
    valid = validated(RegistryPing, body, why, PING)
    data = {field: getattr(valid, field) for field in ("url", "insecure")
            if getattr(valid, field) is not None}
    stored = ping_kind(body) == STORED
    with named(FLAT):
        auth = _auth(valid.access_key, valid.access_secret, mode_kept=stored)
    return (valid.id if stored else None), {**data, **auth}


def project_creation(body: dict):
    """POST: the new project's name and registry id."""
    return validated(ProjectCreate, body, "a new project needs one.", PROJECT)


def _auth(key: str | None, secret: str | None, *, mode_kept: bool) -> dict:
    """The auth_mode and auth_info for Harbor's access_key and access_secret.

    An empty access_key means no credentials; with `mode_kept` (an update) an
    absent one keeps the stored user name, and a blank secret the password.
    """
    if key == "" or (key is None and not secret and not mode_kept):
        if secret:
            raise FieldError("username", "A password needs a user name: give access_key too.")
        return {"auth_mode": "NONE", "auth_info": {}}
    if key is None and not secret:
        return {}
    given = {"username": key} if key else {}
    return {"auth_mode": "BASIC", "auth_info": {**given, "password": secret or ""}}
