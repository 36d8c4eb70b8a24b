"""Provider credentials: which secrets each auth mode needs, and keeping stored ones."""
from __future__ import annotations

from ..crypto import SecretBox
from ..models import AUTH_MODES, Instance
from ..providers import Credentials, Target
from ..validation import FieldError, check_secret, normalize_endpoint

SECRET_KEYS = {"BASIC": ("username", "password"), "OAUTH": ("token",), "NONE": ()}
SECRET_LABELS = {"username": "Username", "password": "Password", "token": "Token"}


def credentials(box: SecretBox, instance: Instance) -> Credentials:
    """The decrypted credentials of a stored instance."""
    return Credentials.from_auth_info(instance.auth_mode, box.open(instance.auth_secret))


def target(box: SecretBox, instance: Instance) -> Target:
    """What the network layer needs to reach a stored instance."""
    return Target(instance.endpoint, credentials(box, instance), instance.insecure)


def unsaved_target(box: SecretBox, data: dict, instance: Instance | None = None) -> Target:
    """Validate just enough of unsaved `data` to test a connection with it.

    With `instance`, blank secrets fall back to the stored ones, as on save.
    """
    endpoint = normalize_endpoint(data.get("endpoint"))
    mode = auth_mode(data.get("auth_mode", "NONE"))
    info = resolve_auth_info(box, instance, mode, data.get("auth_info") or {})
    return Target(endpoint, Credentials.from_auth_info(mode, info), bool(data.get("insecure")))


def apply_auth(box: SecretBox, instance: Instance, data: dict) -> None:
    """Set the instance's auth mode and sealed secrets from `data`."""
    mode = auth_mode(data.get("auth_mode", instance.auth_mode))
    stored = instance if instance.id is not None else None
    info = resolve_auth_info(box, stored, mode, data.get("auth_info") or {})
    instance.auth_mode = mode
    instance.auth_secret = box.seal(info) if info else None


def auth_mode(value) -> str:
    """A valid auth mode (any case) or FieldError."""
    mode = str(value or "NONE").upper()
    if mode not in AUTH_MODES:
        raise FieldError("auth_mode", "Auth Mode must be one of NONE, BASIC or OAUTH.")
    return mode


def resolve_auth_info(box: SecretBox, instance: Instance | None, mode: str,
                      given: dict) -> dict[str, str]:
    """The credentials to store: the given ones, with blanks kept from storage.

    Stored values are only reused while the auth mode stays the same; a new
    mode needs all of its secrets, and NONE needs (and keeps) none.
    """
    if not isinstance(given, dict):
        raise FieldError("auth_info", "auth_info must be an object.")
    same_mode = instance is not None and instance.auth_mode == mode
    # Open the stored secrets only to fill blanks: new credentials must replace
    # ones that no configured key can decrypt any more.
    needs_stored = same_mode and any(not given.get(key) for key in SECRET_KEYS[mode])
    keep = box.open(instance.auth_secret) if needs_stored else {}
    info = {}
    for key in SECRET_KEYS[mode]:
        value = given.get(key)
        if value is not None and not isinstance(value, str):
            raise FieldError(key, f"{SECRET_LABELS[key]} must be a string.")
        info[key] = check_secret(key, SECRET_LABELS[key], value or keep.get(key))
    return info
