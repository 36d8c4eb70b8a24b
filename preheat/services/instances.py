"""Creating, changing and deleting provider instances: the one place for it.

The HTML views and the JSON API both call these functions, so the rules and
the messages are the same everywhere. Input arrives as a plain dict whose keys
are the fields to set; a missing key means "leave as it is".
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..crypto import SecretBox
from ..models import AUTH_MODES, Instance, Policy, utcnow
from ..providers import PROVIDERS, Credentials, Target
from ..validation import (
    FieldError,
    check_description,
    check_name,
    check_secret,
    normalize_endpoint,
)
from .errors import Conflict, InUse, NotFound

SECRET_KEYS = {"BASIC": ("username", "password"), "OAUTH": ("token",), "NONE": ()}
SECRET_LABELS = {"username": "Username", "password": "Password", "token": "Token"}
# Changing any of these makes the last health result meaningless.
PROBE_FIELDS = ("endpoint", "auth_mode", "auth_info", "insecure")


def get(session: Session, instance_id: int) -> Instance:
    """Return the instance with this id or raise NotFound."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"Instance {instance_id} does not exist.")
    return instance


def get_by_name(session: Session, name: str) -> Instance:
    """Return the instance with this name (any case) or raise NotFound."""
    instance = session.scalar(select(Instance).where(func.lower(Instance.name) == name.lower()))
    if instance is None:
        raise NotFound(f"Instance {name!r} does not exist.")
    return instance


def create(session: Session, box: SecretBox, data: dict) -> Instance:
    """Validate `data` and store a new instance; raise FieldError or Conflict."""
    vendor = data.get("vendor")
    if vendor not in PROVIDERS:
        raise FieldError("vendor", "Provider must be one of: " + ", ".join(PROVIDERS) + ".")
    instance = Instance(vendor=vendor, auth_mode="NONE", enabled=True, is_default=False,
                        insecure=False, health_status="unknown", setup_timestamp=utcnow())
    with _rollback_on_error(session):
        _apply(session, box, instance, {"enabled": True, "auth_mode": "NONE", **data})
    session.add(instance)
    return _commit(session, instance)


def update(session: Session, box: SecretBox, instance: Instance, data: dict) -> Instance:
    """Apply the fields in `data` to `instance`; raise FieldError or Conflict."""
    vendor = data.get("vendor", instance.vendor)
    if vendor != instance.vendor:
        raise FieldError("vendor", "The provider cannot be changed after creation;"
                                   " create a new instance instead.")
    with _rollback_on_error(session):
        if any(field in data for field in PROBE_FIELDS):
            _forget_health(instance)
        _apply(session, box, instance, data)
    return _commit(session, instance)


def set_enabled(session: Session, instances: list[Instance], enabled: bool) -> None:
    """Enable or deactivate the given instances."""
    for instance in instances:
        instance.enabled = enabled
    session.commit()


def delete(session: Session, instances: list[Instance]) -> None:
    """Delete the instances, or none of them if any is used by a policy."""
    in_use = [(i.name, [p.name for p in i.policies]) for i in instances if i.policies]
    if in_use:
        raise _in_use_error(in_use)
    for instance in instances:
        session.delete(instance)
    try:
        session.commit()
    except IntegrityError:
        # A policy was created against one of them since we looked.
        session.rollback()
        raise InUse("An instance was just put to use by a preheat policy;"
                    " reload the page and try again.", [])


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
    mode = _auth_mode(data.get("auth_mode", "NONE"))
    info = _resolve_auth_info(box, instance, mode, data.get("auth_info") or {})
    return Target(endpoint, Credentials.from_auth_info(mode, info), bool(data.get("insecure")))


def _apply(session: Session, box: SecretBox, instance: Instance, data: dict) -> None:
    if "name" in data:
        instance.name = check_name(data["name"])
        _ensure_unique(session, instance, "name", func.lower(Instance.name),
                       instance.name.lower(), f"An instance named {instance.name} already exists.")
    if "description" in data:
        instance.description = check_description(data["description"])
    if "endpoint" in data:
        instance.endpoint = normalize_endpoint(data["endpoint"])
        _ensure_unique(session, instance, "endpoint", Instance.endpoint, instance.endpoint,
                       f"Another instance already uses the endpoint {instance.endpoint}.")
    if "auth_mode" in data or "auth_info" in data:
        _apply_auth(box, instance, data)
    for field in ("enabled", "insecure"):
        if field in data:
            setattr(instance, field, bool(data[field]))
    if "default" in data:
        _apply_default(session, instance, bool(data["default"]))


def _apply_auth(box: SecretBox, instance: Instance, data: dict) -> None:
    mode = _auth_mode(data.get("auth_mode", instance.auth_mode))
    stored = instance if instance.id is not None else None
    info = _resolve_auth_info(box, stored, mode, data.get("auth_info") or {})
    instance.auth_mode = mode
    instance.auth_secret = box.seal(info) if info else None


def _auth_mode(value) -> str:
    mode = str(value or "NONE").upper()
    if mode not in AUTH_MODES:
        raise FieldError("auth_mode", "Auth Mode must be one of NONE, BASIC or OAUTH.")
    return mode


def _resolve_auth_info(box: SecretBox, instance: Instance | None, mode: str,
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


def _apply_default(session: Session, instance: Instance, is_default: bool) -> None:
    if is_default and not instance.is_default:
        # Cleared in the same transaction; the partial unique index backs it up.
        session.execute(sql_update(Instance).where(Instance.is_default.is_(True))
                        .values(is_default=False))
    instance.is_default = is_default


def _ensure_unique(session, instance, field, column, value, message) -> None:
    query = select(Instance.id).where(column == value)
    if instance.id is not None:
        query = query.where(Instance.id != instance.id)
    with session.no_autoflush:
        if session.scalar(query.limit(1)) is not None:
            raise Conflict(field, message)


def _forget_health(instance: Instance) -> None:
    instance.health_status = "unknown"
    instance.health_reason = None
    instance.health_http_status = None
    instance.health_latency_ms = None
    instance.health_checked_at = None


@contextmanager
def _rollback_on_error(session: Session):
    """Undo half-applied changes so a rejected edit leaves the stored row as it was."""
    try:
        yield
    except Exception:
        session.rollback()
        raise


def _commit(session: Session, instance: Instance) -> Instance:
    """Commit; a unique index that fires in a race becomes a Conflict."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        detail = str(exc.orig)
        if "endpoint" in detail:
            raise Conflict("endpoint", "Another instance already uses this endpoint.")
        if "default" in detail:
            raise Conflict("default", "Another instance was made the default at the same"
                                      " time; try again.")
        if "name" in detail:
            raise Conflict("name", "An instance with this name already exists.")
        raise
    return instance


def _in_use_error(in_use: list[tuple[str, list[str]]]) -> InUse:
    parts = [f"{name} is used by preheat policies {', '.join(policies)}"
             for name, policies in in_use]
    names = [p for _, policies in in_use for p in policies]
    return InUse("Cannot delete: " + "; ".join(parts)
                 + ". Delete those policies first.", names)
