"""Creating, changing and deleting provider instances: the one place for it.

The HTML views and the JSON API both call these functions, so the rules, the
messages and the audit trail are the same everywhere. Input arrives as a plain
dict whose keys are the fields to set; a missing key means "leave as it is".
"""
from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from ..crypto import SecretBox
from ..models import Instance, utcnow
from ..validation import (FieldError, check_description, check_name,
                          check_vendor, normalize_endpoint)
from . import audit
from .credentials import apply_auth, credentials, target, unsaved_target
from .saving import (audit_failure, changes, commit, commit_delete, ensure_unique, forget_health,
                     get_named, get_row, gone_meanwhile, refuse_denied, refused_deletes)
from .saving import in_use as in_use_error

__all__ = ["get", "get_by_name", "create", "update", "set_enabled", "delete", "used_by",
           "policy_labels",
           # Credentials belong to an instance; callers find them here too.
           "credentials", "target", "unsaved_target"]
# Changing any of these makes the last health result meaningless.
PROBE_FIELDS = ("endpoint", "auth_mode", "auth_info", "insecure")
# Said once, when a sysadmin chooses it; the checks themselves stay quiet about it.
INSECURE_NOTE = "certificate verification skipped"
AUDITED = ("name", "description", "endpoint", "auth_mode", "enabled", "insecure", "is_default")


def get(session: Session, instance_id: int) -> Instance:
    """Return the instance with this id or raise NotFound."""
    return get_row(session, Instance, instance_id, "instance")


def get_by_name(session: Session, name: str) -> Instance:
    """Return the instance with this name (any case) or raise NotFound."""
    return get_named(session, Instance, name, "instance")


def create(session: Session, box: SecretBox, data: dict) -> Instance:
    """Validate `data` and store a new instance; raise FieldError or Conflict."""
    with audit_failure(session, "create", str(data.get("name") or "")):
        instance = Instance(vendor=check_vendor(data.get("vendor")), auth_mode="NONE", enabled=True,
                            is_default=False, insecure=False, health_status="unknown",
                            setup_timestamp=utcnow())
        _apply(session, box, instance, {"enabled": True, "auth_mode": "NONE", **data})
        session.add(instance)
        return commit(session, instance, "create", _describe(instance), _CONFLICTS)


def update(session: Session, box: SecretBox, instance: Instance, data: dict) -> Instance:
    """Apply the fields in `data` to `instance`; raise FieldError or Conflict."""
    with audit_failure(session, "update", instance.name, instance.id):
        if data.get("vendor", instance.vendor) != instance.vendor:
            raise FieldError("vendor", "The provider cannot be changed after creation;"
                                       " create a new instance instead.")
        before = _snapshot(instance)
        if any(field in data for field in PROBE_FIELDS):
            forget_health(instance)
        _apply(session, box, instance, data)
        detail = changes(before, _snapshot(instance), {"is_default": "default"})
        if instance.insecure and not before["insecure"]:
            detail += f"; {INSECURE_NOTE}"
        return commit(session, instance, "update", detail, _CONFLICTS)


def set_enabled(session: Session, instances: list[Instance], enabled: bool) -> None:
    """Enable or deactivate the given instances."""
    for instance in instances:
        if instance.enabled != enabled:
            instance.enabled = enabled
            audit.record(session, "enable" if enabled else "deactivate", name=instance.name,
                         object_id=instance.id)
    with gone_meanwhile(session):
        session.commit()


def delete(session: Session, instances: list[Instance]) -> None:
    """Delete the instances, or none of them if any is used by a policy."""
    in_use = [(i.name, policy_labels(i)) for i in instances if i.policies]
    with refused_deletes(session, [i.name for i in instances]):
        if in_use:
            raise in_use_error(in_use, used_by, "policy", "policies")
        for instance in instances:
            audit.record(session, "delete", name=instance.name, object_id=instance.id,
                         detail=f"{instance.vendor} at {instance.endpoint}")
            session.delete(instance)
        # A policy may have been created against one of them since we looked.
        commit_delete(session, "instance", "An instance was just put to use by a preheat policy;"
                                            " reload the page and try again.")


def _apply(session: Session, box: SecretBox, instance: Instance, data: dict) -> None:
    if "name" in data:
        instance.name = check_name(data["name"])
        ensure_unique(session, instance, func.lower(Instance.name), instance.name.lower(),
                      "name", f"An instance named {instance.name} already exists.")
    if "description" in data:
        instance.description = check_description(data["description"])
    # Before the endpoint changes: a stored secret stays only with the origin it was saved for.
    if {"auth_mode", "auth_info", "endpoint"} & data.keys():
        apply_auth(box, instance, data)
    if "endpoint" in data:
        endpoint = normalize_endpoint(data["endpoint"])
        if endpoint != instance.endpoint:
            refuse_denied("endpoint", endpoint)
        instance.endpoint = endpoint
        ensure_unique(session, instance, Instance.endpoint, instance.endpoint, "endpoint",
                      f"Another instance already uses the endpoint {instance.endpoint}.")
    for field in ("enabled", "insecure"):
        if field in data:
            setattr(instance, field, bool(data[field]))
    if "default" in data:
        _apply_default(session, instance, bool(data["default"]))


def _apply_default(session: Session, instance: Instance, is_default: bool) -> None:
    if is_default and not instance.is_default:
        # Cleared in the same transaction; the partial unique index backs it up.
        session.execute(sql_update(Instance).where(Instance.is_default.is_(True))
                        .values(is_default=False))
    instance.is_default = is_default


def _snapshot(instance: Instance) -> dict:
    return {**{field: getattr(instance, field) for field in AUDITED},
            "credentials": instance.auth_secret}


def _describe(instance: Instance) -> str:
    return (f"{instance.vendor} at {instance.endpoint}, auth {instance.auth_mode}, "
            + ("enabled" if instance.enabled else "deactivated")
            + (f", {INSECURE_NOTE}" if instance.insecure else ""))


# What each unique index of the instance table means to the person saving.
_CONFLICTS = {
    "uq_preheat_instance_endpoint": ("endpoint", "Another instance already uses this endpoint."),
    "uq_preheat_instance_default": ("default", "Another instance was made the default at the"
                                               " same time; try again."),
    "uq_preheat_instance_name_ci": ("name", "An instance with this name already exists."),
}


def policy_labels(instance: Instance) -> list[str]:
    """The policies using `instance`, each with its project: 'p1 (project library)'."""
    return [f"{p.name} (project {p.project.name})"
            for p in sorted(instance.policies, key=lambda p: (p.project.name, p.name.lower()))]


def used_by(name: str, policies: list[str]) -> str:
    """'a is used by preheat policy p1 (project library)', or 'policies ...' for several."""
    noun = "policy" if len(policies) == 1 else "policies"
    return f"{name} is used by preheat {noun} {', '.join(policies)}"
