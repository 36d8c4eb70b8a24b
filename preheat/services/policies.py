"""Creating, changing and deleting preheat policies: the one place for it.

A policy belongs to a project and pushes the images its filters match to
one enabled provider instance. Input is a plain dict whose keys are the
fields to set (name, description, instance_id, repositories, tags, trigger,
schedule, timezone, enabled, options); a missing key means "leave as it is".
The provider's own options (Dragonfly's scope, cluster ids, platform) are
checked by its driver. A scheduled policy's next run time is worked out when
its schedule is saved; the schedule tick fires it (executions.schedules).
"""
from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import TRIGGERS, Execution, Instance, Policy, Project, utcnow
from ..policies.filters import parse
from ..policies.schedule import check_cron, check_zone
from ..providers import OptionError, get_provider
from ..validation import FieldError, check_description, check_name
from . import audit
from .errors import InUse, NotFound
from .saving import audit_failure, changes, commit, ensure_unique, gone_meanwhile, refused_deletes

AS_POLICY = {"object_type": "policy"}
KIND = {**AS_POLICY, "noun": "policy"}
AUDITED = ("name", "description", "instance_id", "repositories", "tags", "trigger", "schedule",
           "timezone", "enabled", "options")
TRIGGER_FIELDS = {"trigger", "schedule", "timezone"}
_CONFLICTS = {"uq_preheat_policy_project_name_ci": (
    "name", "A policy with this name already exists in the project.")}


def get(session: Session, project: Project, name: str) -> Policy:
    """The project's policy named `name` (any case), or NotFound."""
    policy = session.scalar(select(Policy).where(Policy.project_id == project.id,
                                                 func.lower(Policy.name) == name.lower()))
    if policy is None:
        raise NotFound(f"Project {project.name} has no policy named {name!r}.")
    return policy


def of_project(session: Session, project: Project) -> list[Policy]:
    """The project's policies, by name."""
    return list(session.scalars(select(Policy).where(Policy.project_id == project.id)
                                .order_by(Policy.name)))


def create(session: Session, project: Project, data: dict) -> Policy:
    """Validate `data` and store a new policy of `project`; raise FieldError or Conflict."""
    with audit_failure(session, "create", str(data.get("name") or ""), **AS_POLICY):
        now = utcnow()
        policy = Policy(project=project, enabled=True, repositories="**", tags="**",
                        trigger="manual", options="{}", created_at=now, updated_at=now)
        if "instance_id" not in data:
            raise FieldError("instance_id", "Choose the provider instance to preheat into.")
        with session.no_autoflush:  # not in the session until it is whole
            _apply(session, policy, {"enabled": True, **data})
        session.add(policy)
        return commit(session, policy, "create", _describe(policy), _CONFLICTS, **KIND)


def update(session: Session, policy: Policy, data: dict) -> Policy:
    """Apply the fields in `data` to `policy`; raise FieldError or Conflict."""
    with audit_failure(session, "update", policy.name, policy.id, **AS_POLICY):
        before = _snapshot(policy)
        _apply(session, policy, data)
        after = _snapshot(policy)
        if after != before:
            policy.updated_at = utcnow()
        return commit(session, policy, "update", changes(before, after, {
            "instance_id": "provider"}), _CONFLICTS, **KIND)


def set_enabled(session: Session, policies: list[Policy], enabled: bool) -> None:
    """Enable or deactivate the given policies."""
    for policy in policies:
        if policy.enabled != enabled:
            policy.enabled = enabled
            policy.updated_at = utcnow()
            audit.record(session, "enable" if enabled else "deactivate", name=policy.name,
                         object_id=policy.id, **AS_POLICY)
    with gone_meanwhile(session, "policy"):
        session.commit()


def delete(session: Session, policies: list[Policy]) -> None:
    """Delete the policies with their executions, or none while one of them runs."""
    running = session.execute(select(Policy.name, Execution.id).join(Execution).where(
        Policy.id.in_([p.id for p in policies]),
        Execution.status.in_(("Pending", "Running"))).order_by(Execution.id)).all()
    with refused_deletes(session, [p.name for p in policies], **AS_POLICY):
        if running:
            named = ", ".join(f"{name} (execution {execution_id})"
                              for name, execution_id in running)
            raise InUse(f"Cannot delete: an execution is running: {named}. Stop it first.",
                        [name for name, _ in running])
    for policy in policies:
        audit.record(session, "delete", name=policy.name, object_id=policy.id,
                     detail=f"policy of project {policy.project.name}", **AS_POLICY)
        session.delete(policy)
    with gone_meanwhile(session, "policy"):
        session.commit()


def options_of(policy: Policy) -> dict:
    """The provider options stored with the policy."""
    return json.loads(policy.options or "{}")


def _apply(session: Session, policy: Policy, data: dict) -> None:
    if "name" in data:
        policy.name = check_name(data["name"])
        ensure_unique(session, policy, func.lower(Policy.name), policy.name.lower(), "name",
                      f"Project {policy.project.name} already has a policy named"
                      f" {policy.name}.", Policy.project_id == policy.project.id)
    if "description" in data:
        policy.description = check_description(data["description"])
    if "instance_id" in data:
        policy.instance = _instance(session, data["instance_id"])
    for field in ("repositories", "tags"):
        if field in data:
            setattr(policy, field, parse(field, data[field]).text)
    if TRIGGER_FIELDS & data.keys():
        _apply_trigger(policy, data)
    if "enabled" in data:
        policy.enabled = bool(data["enabled"])
    if "options" in data or "instance_id" in data:
        given = data.get("options", options_of(policy) if "options" not in data else {})
        policy.options = json.dumps(_options(policy.instance, given), sort_keys=True)


def _instance(session: Session, value) -> Instance:
    instance = session.get(Instance, value) if isinstance(value, int) else None
    if instance is None:
        raise FieldError("instance_id", "No provider instance has this id; choose one of the"
                                        " enabled instances in Distributions.")
    if not instance.enabled:
        raise FieldError("instance_id", f"The provider instance {instance.name} is deactivated;"
                                        " enable it in Distributions, or choose another.")
    return instance


def _apply_trigger(policy: Policy, data: dict) -> None:
    """Set the trigger; a schedule saved changed (or anew) is next due at its next time."""
    trigger = _trigger(data.get("trigger", policy.trigger))
    if trigger != "scheduled":
        policy.trigger, policy.schedule, policy.timezone = trigger, None, None
        policy.next_run_at = None
        return
    cron = check_cron(data.get("schedule", policy.schedule))
    zone = check_zone(data.get("timezone", policy.timezone))
    if policy.next_run_at is None or \
            (policy.trigger, policy.schedule, policy.timezone) != (trigger, cron.text, zone):
        policy.next_run_at = cron.next_after(utcnow(), zone)
    policy.trigger, policy.schedule, policy.timezone = trigger, cron.text, zone


def _trigger(value) -> str:
    trigger = str(value or "manual").lower()
    if trigger not in TRIGGERS:
        raise FieldError("trigger", "The trigger must be manual, scheduled or event_based.")
    return trigger


def _options(instance: Instance, given) -> dict:
    if not isinstance(given, dict):
        raise FieldError("options", "The provider options must be an object.")
    provider = get_provider(instance.vendor)
    try:
        return provider.validate_options(given)
    except OptionError as error:
        raise FieldError(error.field, error.message) from None


def _snapshot(policy: Policy) -> dict:
    return {field: getattr(policy, field) for field in AUDITED}


def _describe(policy: Policy) -> str:
    return (f"policy of project {policy.project.name} into {policy.instance.name},"
            f" repositories {policy.repositories}, tags {policy.tags}, {policy.trigger}"
            + (f" ({policy.schedule}, {policy.timezone})" if policy.schedule else ""))
