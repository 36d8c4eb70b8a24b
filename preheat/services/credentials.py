"""Provider credentials: which secrets each auth mode needs, and keeping stored ones.

A stored secret is only ever sent to the endpoint origin (scheme, host, port)
and the provider it was saved for, with the same auth mode: otherwise whoever
can edit an instance could point it at their own server, leave the secret
blank and receive it. So changing any of those needs the secret typed again.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from ..crypto import SecretBox, SecretError
from ..models import AUTH_MODES, Instance
from ..transport import Credentials, Target
from ..validation import FieldError, check_secret, normalize_endpoint

SECRET_KEYS = {"BASIC": ("username", "password"), "OAUTH": ("token",), "NONE": ()}
SECRET_LABELS = {"username": "Username", "password": "Password", "token": "Token"}
# The user name is shown in the edit dialog, so it may follow the instance anywhere.
SENSITIVE = ("password", "token")


def credentials(box: SecretBox, instance: Instance) -> Credentials:
    """The decrypted credentials of a stored instance."""
    return Credentials.from_auth_info(instance.auth_mode, box.open(instance.auth_secret))


def target(box: SecretBox, instance: Instance) -> Target:
    """What the network layer needs to reach a stored instance or registry."""
    return Target(instance.endpoint, credentials(box, instance), instance.insecure,
                  instance.peer)


def unsaved_target(box: SecretBox, data: dict, instance: Instance | None = None,
                   vendor: str | None = None, modes: tuple[str, ...] = AUTH_MODES,
                   peer: str = "provider") -> Target:
    """Validate just enough of unsaved `data` to test a connection with it.

    With `instance`, blank secrets fall back to the stored ones, as on save,
    and as there only while the provider, auth mode and endpoint origin stay.
    """
    endpoint = normalize_endpoint(data.get("endpoint"))
    mode = auth_mode(data.get("auth_mode", "NONE"), modes)
    info = resolve_auth_info(box, instance, mode, data.get("auth_info") or {},
                             endpoint=endpoint, vendor=vendor)
    return Target(endpoint, Credentials.from_auth_info(mode, info), bool(data.get("insecure")),
                  peer)


def apply_auth(box: SecretBox, instance: Instance, data: dict) -> None:
    """Set the instance's auth mode and sealed secrets from `data` (before its endpoint).

    Unchanged secrets keep their sealed form, so the audit log and the health
    checks see that nothing changed.
    """
    stored = instance if instance.id is not None else None
    endpoint = normalize_endpoint(data["endpoint"]) if "endpoint" in data else instance.endpoint
    if not ({"auth_mode", "auth_info"} & data.keys()) and (
            stored is None or same_origin(endpoint, instance.endpoint)):
        return
    mode = auth_mode(data.get("auth_mode", instance.auth_mode), instance.auth_modes)
    info = resolve_auth_info(box, stored, mode, data.get("auth_info") or {}, endpoint=endpoint)
    if stored is not None and mode == instance.auth_mode and info == _opened(box, instance):
        return
    instance.auth_mode = mode
    instance.auth_secret = box.seal(info) if info else None


def auth_mode(value, allowed: tuple[str, ...] = AUTH_MODES) -> str:
    """A valid auth mode (any case) among `allowed`, or FieldError."""
    mode = str(value or "NONE").upper()
    if mode not in allowed:
        listed = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        raise FieldError("auth_mode", f"Auth Mode must be one of {listed}.")
    return mode


def resolve_auth_info(box: SecretBox, instance: Instance | None, mode: str, given: dict, *,
                      endpoint: str | None = None, vendor: str | None = None) -> dict[str, str]:
    """The credentials to store or send: the given ones, with blanks kept from storage.

    Stored values fill blanks only for the same auth mode, provider and endpoint
    origin (`endpoint` and `vendor` default to the instance's own); otherwise
    the secrets must be given again, and NONE needs (and keeps) none.
    """
    if not isinstance(given, dict):
        raise FieldError("auth_info", "auth_info must be an object.")
    same_mode = instance is not None and instance.auth_mode == mode
    blank = [key for key in SECRET_KEYS[mode] if not given.get(key)]
    if same_mode and instance.auth_secret and not _same_place(instance, endpoint, vendor):
        retype = next((key for key in blank if key in SENSITIVE), None)
        if retype:
            raise FieldError(retype, _retype(retype, instance))
    # Open the stored secrets only to fill blanks: new credentials must replace
    # ones that no configured key can decrypt any more.
    keep = box.open(instance.auth_secret) if same_mode and blank else {}
    info = {}
    for key in SECRET_KEYS[mode]:
        value = given.get(key)
        if value is not None and not isinstance(value, str):
            raise FieldError(key, f"{SECRET_LABELS[key]} must be a string.")
        info[key] = check_secret(key, SECRET_LABELS[key], value or keep.get(key))
    return info


def same_origin(one: str, other: str) -> bool:
    """Whether two (normalized) endpoints have the same scheme, host and port."""
    return _origin(one) == _origin(other)


def _origin(endpoint: str) -> tuple:
    parts = urlsplit(endpoint)
    return parts.scheme, parts.hostname, parts.port


def _same_place(instance: Instance, endpoint: str | None, vendor: str | None) -> bool:
    return ((vendor is None or vendor == instance.vendor)
            and (endpoint is None or same_origin(endpoint, instance.endpoint)))


def origin(endpoint: str) -> str:
    """The scheme, host and port of an endpoint, as a sysadmin writes them."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _retype(key: str, instance: Instance) -> str:
    name = SECRET_LABELS[key].lower()
    return (f"Type the {name} again: a stored {name} is only sent to the"
            f" {instance.address_label} it was saved with ({origin(instance.endpoint)}).")


def _opened(box: SecretBox, instance: Instance) -> dict | None:
    """The stored secrets, or None when no configured key can decrypt them."""
    try:
        return box.open(instance.auth_secret)
    except SecretError:
        return None
