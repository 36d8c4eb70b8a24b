"""Harbor's policy bodies as the policy service takes them, and a policy as Harbor shows it.

Harbor encodes filters, trigger and extra_attrs as JSON in strings; the
service takes repositories and tags filters, a trigger type and the
provider's options. Its errors are re-raised under the body's field names.
"""
from __future__ import annotations

import json
from contextlib import contextmanager

from ..models import TRIGGERS, Policy
from ..policies.schedule import DEFAULT_ZONE
from ..services import policies
from ..services.errors import Conflict
from ..validation import FieldError
from .invalid import Shape
from .parameters import MAX_ID
from .payload import validated
from .policy_models import PolicyBody, PolicyCreate, PreheatPolicy

POLICY = Shape("policy", tuple(PolicyBody.model_fields),
               read_only=("id", "project_id", "provider_name", "creation_time", "update_time"),
               object_hint="Must be an object.")
# The service's fields, as the body names them; any other is a provider option.
FIELDS = {"name": "name", "description": "description", "instance_id": "provider_id",
          "repositories": "filters", "tags": "filters", "trigger": "trigger",
          "schedule": "trigger", "timezone": "trigger", "enabled": "enabled",
          "options": "extra_attrs"}
FILTER_TYPES = {"repository": "repositories", "tag": "tags"}
# Harbor 2.12 spells Dragonfly's scopes its own way.
HARBOR_SCOPES = {"single_peer": "single_seed_peer"}
TRIGGER_SHAPE = ('{"type": "manual", "trigger_setting": {}}, {"type": "scheduled",'
                 ' "trigger_setting": {"cron": "0 0 2 * * *"}} or {"type": "event_based"}')
FILTERS_SHAPE = ('filters must be a JSON array in a string, such as [{"type": "repository",'
                 ' "value": "**"}, {"type": "tag", "value": "v1.*"}].')


def creation(body: dict) -> dict:
    """POST: the new policy's fields, as the service takes them."""
    validated(PolicyBody, body, "", POLICY)  # types first, in the words of the field
    return _data(validated(PolicyCreate, body, "a new policy needs one.", POLICY), None)


def update(body: dict, policy: Policy) -> dict:
    """PUT: the fields the body gives (not null), as the service takes them."""
    return _data(validated(PolicyBody, body, "", POLICY), policy)


def check(body: dict) -> None:
    """An Execute's optional body: checked as a policy, otherwise ignored."""
    validated(PolicyBody, body, "", POLICY)


@contextmanager
def named(scope_sent: bool):
    """Re-raise the service's FieldError and Conflict under the body's field names."""
    try:
        yield
    except FieldError as error:
        raise FieldError(_field(error.field, scope_sent), error.message) from None
    except Conflict as error:
        raise Conflict(_field(error.field, scope_sent), error.message) from None


def _field(field: str, scope_sent: bool) -> str:
    if field in FIELDS:
        return FIELDS[field]
    return "scope" if field == "scope" and scope_sent else f"extra_attrs.{field}"


def _data(valid: PolicyBody, policy: Policy | None) -> dict:
    data = {key: getattr(valid, key) for key in ("name", "description", "enabled")
            if getattr(valid, key) is not None}
    if valid.provider_id is not None:
        if not 1 <= valid.provider_id <= MAX_ID:
            raise FieldError("provider_id", "No provider instance has this id.")
        data["instance_id"] = valid.provider_id
    if valid.filters is not None:
        data.update(_filters(valid.filters))
    if valid.trigger is not None:
        data.update(_trigger(valid.trigger))
    if valid.extra_attrs is not None or valid.scope is not None:
        if valid.extra_attrs is not None:
            options = _decoded("extra_attrs", valid.extra_attrs, dict, "an object, such as"
                               ' {"scope": "all_peers", "cluster_ids": [1]}')
        else:
            options = policies.options_of(policy) if policy is not None else {}
        if valid.scope is not None:
            options["scope"] = valid.scope
        if isinstance(options.get("scope"), str):
            options["scope"] = HARBOR_SCOPES.get(options["scope"], options["scope"])
        data["options"] = options
    return data


def _decoded(field: str, text: str, kind: type, shape: str):
    """The JSON value `text` holds, of type `kind`, or a FieldError naming `field`."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise FieldError(field, f"Must be valid JSON in a string: {shape}.") from None
    if not isinstance(value, kind):
        raise FieldError(field, f"Must be JSON in a string: {shape}.")
    return value


def _filters(text: str) -> dict:
    """repositories and tags from Harbor's filter list; a type not given matches all."""
    given = _decoded("filters", text, list, '[{"type": "repository", "value": "**"}]')
    found = {"repositories": "**", "tags": "**"}
    seen = set()
    for item in given:
        if not isinstance(item, dict) or set(item) - {"type", "value"} \
                or not isinstance(item.get("type"), str):
            raise FieldError("filters", FILTERS_SHAPE)
        kind, value = item["type"], item.get("value")
        if kind == "label" and value in (None, "", []):
            continue  # Harbor's dialog sends an empty label filter; it filters nothing
        if kind not in FILTER_TYPES:
            raise FieldError("filters", "Preheat filters by repository and tag only, not"
                                        f" {kind[:40]!r}.")
        if kind in seen:
            raise FieldError("filters", f"Give at most one {kind} filter.")
        if value is not None and not isinstance(value, str):
            raise FieldError("filters", f"The {kind} filter's value must be a string.")
        seen.add(kind)
        found[FILTER_TYPES[kind]] = value or "**"
    return found


def _trigger(text: str) -> dict:
    """trigger, schedule and timezone from Harbor's trigger; the service checks the cron."""
    trigger = _decoded("trigger", text, dict, TRIGGER_SHAPE)
    kind = trigger.get("type", "manual")
    if kind not in TRIGGERS:
        raise FieldError("trigger", "The trigger's type must be manual, scheduled or"
                                    " event_based.")
    setting = trigger.get("trigger_setting") or {}
    if not isinstance(setting, dict):
        raise FieldError("trigger", "trigger_setting must be an object.")
    if kind != "scheduled":
        return {"trigger": kind}
    for key in ("cron", "timezone"):
        if not isinstance(setting.get(key, ""), (str, type(None))):
            raise FieldError("trigger", f"trigger_setting's {key} must be a string.")
    if not setting.get("cron"):
        raise FieldError("trigger", "A scheduled trigger needs trigger_setting.cron, such as"
                                    ' {"type": "scheduled", "trigger_setting": {"cron":'
                                    ' "0 0 2 * * *"}}.')
    found = {"trigger": kind, "schedule": setting["cron"]}
    if "timezone" in setting:  # absent keeps the stored zone: Harbor's clients send none
        found["timezone"] = setting["timezone"]
    return found


def trigger_json(policy: Policy) -> str:
    """The trigger as Harbor writes it; a schedule's time zone and next run time with it."""
    setting = {}
    if policy.trigger == "scheduled" and policy.schedule:
        setting = {"cron": policy.schedule, "timezone": policy.timezone or DEFAULT_ZONE,
                   "next_scheduled_time": policy.next_run_at.isoformat()
                   if policy.next_run_at else None}
    return json.dumps({"type": policy.trigger, "trigger_setting": setting})


def policy_json(policy: Policy) -> dict:
    """A policy as Harbor's API shows it: filters, trigger and options as JSON strings."""
    options = policies.options_of(policy)
    return PreheatPolicy(
        id=policy.id,
        name=policy.name,
        description=policy.description or "",
        project_id=policy.project_id,
        provider_id=policy.instance_id,
        provider_name=policy.instance.name,
        filters=json.dumps([{"type": "repository", "value": policy.repositories},
                            {"type": "tag", "value": policy.tags}]),
        trigger=trigger_json(policy),
        enabled=policy.enabled,
        extra_attrs=json.dumps(options, sort_keys=True),
        scope=options.get("scope"),
        creation_time=policy.created_at,
        update_time=policy.updated_at,
    ).model_dump(mode="json")
