"""Creating, changing and deleting provider instances: the one place for it.

The HTML views and the JSON API both call these functions, so the rules, the
messages and the audit trail are the same everywhere. Input arrives as a plain
dict whose keys are the fields to set; a missing key means "leave as it is".
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..crypto import SecretBox
from ..models import Instance, utcnow
from ..validation import (NAME_MAX, NAME_PATTERN, FieldError, check_description, check_name,
                          check_vendor, normalize_endpoint)
from . import audit, constraints
from .credentials import apply_auth, credentials, target, unsaved_target
from .errors import DELETED_MEANWHILE, Conflict, InUse, NotFound

__all__ = ["get", "get_by_name", "create", "update", "set_enabled", "delete", "used_by",
           # Credentials belong to an instance; callers find them here too.
           "credentials", "target", "unsaved_target"]
# Changing any of these makes the last health result meaningless.
PROBE_FIELDS = ("endpoint", "auth_mode", "auth_info", "insecure")
# Said once, when a sysadmin chooses it; the checks themselves stay quiet about it.
INSECURE_NOTE = "certificate verification skipped"
AUDITED = ("name", "description", "endpoint", "auth_mode", "enabled", "insecure", "is_default")


def get(session: Session, instance_id: int) -> Instance:
    """Return the instance with this id or raise NotFound."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"Instance {instance_id} does not exist.")
    return instance


def get_by_name(session: Session, name: str) -> Instance:
    """Return the instance with this name (any case) or raise NotFound."""
    # A name no instance can have is not worth a query (and NUL bytes upset PostgreSQL).
    if len(name) > NAME_MAX or not NAME_PATTERN.fullmatch(name):
        raise NotFound("No instance has this name: names are 1 to 128 letters, digits"
                       " and single '.', '_' or '-' between them.")
    instance = session.scalar(select(Instance).where(func.lower(Instance.name) == name.lower()))
    if instance is None:
        raise NotFound(f"Instance {name!r} does not exist.")
    return instance


def create(session: Session, box: SecretBox, data: dict) -> Instance:
    """Validate `data` and store a new instance; raise FieldError or Conflict."""
    with _audit_failure(session, "create", str(data.get("name") or "")):
        instance = Instance(vendor=check_vendor(data.get("vendor")), auth_mode="NONE", enabled=True,
                            is_default=False, insecure=False, health_status="unknown",
                            setup_timestamp=utcnow())
        _apply(session, box, instance, {"enabled": True, "auth_mode": "NONE", **data})
        session.add(instance)
        return _commit(session, instance, "create", _describe(instance))


def update(session: Session, box: SecretBox, instance: Instance, data: dict) -> Instance:
    """Apply the fields in `data` to `instance`; raise FieldError or Conflict."""
    with _audit_failure(session, "update", instance.name, instance.id):
        if data.get("vendor", instance.vendor) != instance.vendor:
            raise FieldError("vendor", "The provider cannot be changed after creation;"
                                       " create a new instance instead.")
        before = _snapshot(instance)
        if any(field in data for field in PROBE_FIELDS):
            _forget_health(instance)
        _apply(session, box, instance, data)
        detail = _changes(before, _snapshot(instance))
        if instance.insecure and not before["insecure"]:
            detail += f"; {INSECURE_NOTE}"
        return _commit(session, instance, "update", detail)


def set_enabled(session: Session, instances: list[Instance], enabled: bool) -> None:
    """Enable or deactivate the given instances."""
    for instance in instances:
        if instance.enabled != enabled:
            instance.enabled = enabled
            audit.record(session, "enable" if enabled else "deactivate", name=instance.name,
                         object_id=instance.id)
    with _gone_meanwhile(session):
        session.commit()


def delete(session: Session, instances: list[Instance]) -> None:
    """Delete the instances, or none of them if any is used by a policy."""
    in_use = [(i.name, [p.name for p in i.policies]) for i in instances if i.policies]
    try:
        if in_use:
            raise _in_use_error(in_use)
        for instance in instances:
            audit.record(session, "delete", name=instance.name, object_id=instance.id,
                         detail=f"{instance.vendor} at {instance.endpoint}")
            session.delete(instance)
        _commit_delete(session)
    except InUse as error:
        for name in [i.name for i in instances]:
            audit.record_failure(session, "delete", name=name, detail=error.message)
        raise


def _commit_delete(session: Session) -> None:
    try:
        with _gone_meanwhile(session):
            session.commit()
    except IntegrityError:
        # A policy was created against one of them since we looked.
        session.rollback()
        raise InUse("An instance was just put to use by a preheat policy;"
                    " reload the page and try again.", [])


def _apply(session: Session, box: SecretBox, instance: Instance, data: dict) -> None:
    if "name" in data:
        instance.name = check_name(data["name"])
        _ensure_unique(session, instance, "name", func.lower(Instance.name),
                       instance.name.lower(), f"An instance named {instance.name} already exists.")
    if "description" in data:
        instance.description = check_description(data["description"])
    # Before the endpoint changes: a stored secret stays only with the origin it was saved for.
    if {"auth_mode", "auth_info", "endpoint"} & data.keys():
        apply_auth(box, instance, data)
    if "endpoint" in data:
        endpoint = normalize_endpoint(data["endpoint"])
        if endpoint != instance.endpoint:
            _refuse_denied(endpoint)
        instance.endpoint = endpoint
        _ensure_unique(session, instance, "endpoint", Instance.endpoint, instance.endpoint,
                       f"Another instance already uses the endpoint {instance.endpoint}.")
    for field in ("enabled", "insecure"):
        if field in data:
            setattr(instance, field, bool(data[field]))
    if "default" in data:
        _apply_default(session, instance, bool(data["default"]))


def _refuse_denied(endpoint: str) -> None:
    """Refuse a new endpoint the denylist forbids, in the words a check would use.

    Only a changed endpoint: an instance saved before the denylist grew stays
    editable, and its checks keep saying why they are blocked.
    """
    state = current_app.extensions.get("preheat") if has_app_context() else None
    reason = state.http.denied(endpoint) if state is not None else None
    if reason:
        raise FieldError("endpoint", reason)


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


def _snapshot(instance: Instance) -> dict:
    return {**{field: getattr(instance, field) for field in AUDITED},
            "credentials": instance.auth_secret}


def _changes(before: dict, after: dict) -> str:
    """Which fields changed, with old and new values; secrets only as 'changed'."""
    parts = []
    for field, old in before.items():
        new = after[field]
        if old == new:
            continue
        label = "default" if field == "is_default" else field
        parts.append(f"{label} changed" if field == "credentials"
                     else f"{label}: {_written(old)} -> {_written(new)}")
    return "; ".join(parts) or "no changes"


def _written(value) -> str:
    """A value as a person writes it: (empty), yes or no, text in plain quotes."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f'"{value}"'


def _describe(instance: Instance) -> str:
    return (f"{instance.vendor} at {instance.endpoint}, auth {instance.auth_mode}, "
            + ("enabled" if instance.enabled else "deactivated")
            + (f", {INSECURE_NOTE}" if instance.insecure else ""))


@contextmanager
def _audit_failure(session: Session, action: str, name: str, object_id: int | None = None):
    """Undo half-applied changes, record a refused attempt, and re-raise.

    A collision with another instance is worth a record; a value that breaks
    a rule (a typo in one's own form or payload) is answered, not recorded.
    """
    try:
        yield
    except Conflict as error:
        session.rollback()
        audit.record_failure(session, action, name=name, object_id=object_id,
                             detail=f"{error.field}: {error.message}")
        raise
    except Exception:
        session.rollback()
        raise


def _commit(session: Session, instance: Instance, action: str, detail: str) -> Instance:
    """Record the change and commit; a unique index firing in a race becomes a Conflict."""
    try:
        with _gone_meanwhile(session):
            session.flush()
            audit.record(session, action, name=instance.name, object_id=instance.id,
                         detail=detail)
            session.commit()
    except IntegrityError as exc:
        session.rollback()
        conflict = _conflict(constraints.violated(exc))
        if conflict is None:
            raise
        raise conflict from None
    return instance


@contextmanager
def _gone_meanwhile(session: Session):
    """A row another request deleted since we read it becomes a NotFound, not a 500."""
    try:
        yield
    except StaleDataError:
        session.rollback()
        raise NotFound(DELETED_MEANWHILE) from None


# What each unique index of the instance table means to the person saving.
_CONFLICTS = {
    "uq_preheat_instance_endpoint": ("endpoint", "Another instance already uses this endpoint."),
    "uq_preheat_instance_default": ("default", "Another instance was made the default at the"
                                               " same time; try again."),
    "uq_preheat_instance_name_ci": ("name", "An instance with this name already exists."),
}


def _conflict(constraint: str | None) -> Conflict | None:
    known = _CONFLICTS.get(constraint)
    return Conflict(*known) if known else None


def used_by(name: str, policies: list[str]) -> str:
    """'a is used by preheat policy p1', or 'policies p1, p2' for several."""
    noun = "policy" if len(policies) == 1 else "policies"
    return f"{name} is used by preheat {noun} {', '.join(policies)}"


def _in_use_error(in_use: list[tuple[str, list[str]]]) -> InUse:
    parts = [used_by(name, policies) for name, policies in in_use]
    names = [p for _, policies in in_use for p in policies]
    policies = "that policy" if len(names) == 1 else "those policies"
    return InUse("Cannot delete: " + "; ".join(parts) + f". Delete {policies} first.", names)
