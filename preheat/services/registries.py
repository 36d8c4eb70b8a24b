"""Creating, changing and deleting registries: the one place for it, as for instances.

Input is a plain dict whose keys are the fields to set (name, description,
url, public_url, auth_mode, auth_info, insecure); a missing key means
"leave as it is". Credentials follow the instances' rules (`credentials`).
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy.orm import Session

from ..crypto import SecretBox
from ..models import Registry, utcnow
from ..validation import (FieldError, check_description, check_name,
                          normalize_endpoint)
from . import audit
from .credentials import apply_auth, credentials, target, unsaved_target
from .saving import (audit_failure, changes, commit, commit_delete, ensure_unique, forget_health,
                     get_named, get_row, refuse_denied, refused_deletes)
from .saving import in_use as in_use_error

__all__ = ["get", "get_by_name", "create", "update", "delete", "public_url_warning",
           "credentials", "target", "unsaved", "used_by", "check_url"]
# How the audit trail and the messages name what this module saves.
AS_REGISTRY = {"object_type": "registry"}
KIND = {**AS_REGISTRY, "noun": "registry"}
# Changing any of these makes the last health result meaningless.
PROBE_FIELDS = ("url", "auth_mode", "auth_info", "insecure")
AUDITED = ("name", "description", "url", "public_url", "auth_mode", "insecure")
_CONFLICTS = {
    "uq_preheat_registry_url": ("url", "Another registry already uses this URL."),
    "uq_preheat_registry_name_ci": ("name", "A registry with this name already exists."),
}


def get(session: Session, registry_id: int) -> Registry:
    """Return the registry with this id or raise NotFound."""
    return get_row(session, Registry, registry_id, "registry")


def get_by_name(session: Session, name: str) -> Registry:
    """Return the registry with this name (any case) or raise NotFound."""
    return get_named(session, Registry, name, "registry")


def create(session: Session, box: SecretBox, data: dict) -> Registry:
    """Validate `data` and store a new registry; raise FieldError or Conflict."""
    with audit_failure(session, "create", str(data.get("name") or ""), **AS_REGISTRY):
        registry = Registry(type="docker-registry", auth_mode="NONE", insecure=False,
                            health_status="unknown", created_at=utcnow(), updated_at=utcnow())
        if "url" not in data:
            raise FieldError("url", "URL is required.")
        _apply(session, box, registry, {"auth_mode": "NONE", **data})
        session.add(registry)
        return commit(session, registry, "create", _describe(registry), _CONFLICTS, **KIND)


def update(session: Session, box: SecretBox, registry: Registry, data: dict) -> Registry:
    """Apply the fields in `data` to `registry`; raise FieldError or Conflict."""
    with audit_failure(session, "update", registry.name, registry.id, **AS_REGISTRY):
        before = _snapshot(registry)
        if any(field in data for field in PROBE_FIELDS):
            forget_health(registry)
        _apply(session, box, registry, data)
        after = _snapshot(registry)
        if after != before:
            registry.updated_at = utcnow()
        return commit(session, registry, "update", changes(before, after), _CONFLICTS, **KIND)


def delete(session: Session, registries: list[Registry]) -> None:
    """Delete the registries, or none of them if projects use any of them."""
    in_use = [(r.name, [p.name for p in r.projects]) for r in registries if r.projects]
    with refused_deletes(session, [r.name for r in registries], **AS_REGISTRY):
        if in_use:
            raise in_use_error(in_use, used_by, "project", "projects")
        for registry in registries:
            audit.record(session, "delete", name=registry.name, object_id=registry.id,
                         detail=f"registry at {registry.url}", **AS_REGISTRY)
            session.delete(registry)
        # A project may have been created on one of them since we looked.
        commit_delete(session, "registry", "A registry was just given a project; reload the page"
                                            " and try again.")


def unsaved(box: SecretBox, data: dict, registry: Registry | None = None):
    """The target to test unsaved `data` at (blank secrets kept from `registry`)."""
    if "url" not in data:
        raise FieldError("url", "URL is required.")
    return unsaved_target(box, {**data, "endpoint": data["url"]}, registry,
                          modes=Registry.auth_modes, peer=Registry.peer)


def public_url_warning(url: str | None) -> str | None:
    """A warning when providers cannot pull from `url`: Dragonfly refuses such addresses."""
    host = urlsplit(url or "").hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ("Providers pull from localhost, so this works only when they run on this"
                " machine; a real Dragonfly manager refuses it.") if host == "localhost" else None
    if address.is_loopback or address.is_link_local:
        kind = "a loopback" if address.is_loopback else "a link-local"
        return (f"{host} is {kind} address: a Dragonfly manager refuses to dial it, so"
                " providers could not pull. Give the address they reach the registry at.")
    return None


def _apply(session: Session, box: SecretBox, registry: Registry, data: dict) -> None:
    if "name" in data:
        registry.name = check_name(data["name"])
        ensure_unique(session, registry, func.lower(Registry.name), registry.name.lower(),
                      "name", f"A registry named {registry.name} already exists.")
    if "description" in data:
        registry.description = check_description(data["description"])
    # Before the URL changes: a stored password stays only with the origin it was saved for.
    if {"auth_mode", "auth_info", "url"} & data.keys():
        auth = {key: data[key] for key in ("auth_mode", "auth_info") if key in data}
        if "url" in data:
            auth["endpoint"] = check_url("url", data["url"])
        apply_auth(box, registry, auth)
    if "url" in data:
        url = check_url("url", data["url"])
        if url != registry.url:
            refuse_denied("url", url)
        registry.url = url
        ensure_unique(session, registry, Registry.url, url, "url",
                      f"Another registry already uses the URL {url}.")
    if "public_url" in data:
        registry.public_url = check_url("public_url", data["public_url"]) if data["public_url"] \
            else None
    if "insecure" in data:
        registry.insecure = bool(data["insecure"])


def check_url(field: str, value) -> str:
    """A normalised registry address; the field at fault named as the caller calls it."""
    try:
        return normalize_endpoint(value)
    except FieldError as error:
        label = "URL as providers reach it" if field == "public_url" else "URL"
        raise FieldError(field, error.message.replace("Endpoint", label)) from None


def _snapshot(registry: Registry) -> dict:
    return {**{field: getattr(registry, field) for field in AUDITED},
            "credentials": registry.auth_secret}


def _describe(registry: Registry) -> str:
    where = f"registry at {registry.url}, auth {registry.auth_mode}"
    if registry.public_url:
        where += f", providers pull from {registry.public_url}"
    return where + (", certificate verification skipped" if registry.insecure else "")


def used_by(name: str, projects: list[str]) -> str:
    """'hub holds project library', or 'projects a, b' for several."""
    noun = "project" if len(projects) == 1 else "projects"
    return f"{name} holds {noun} {', '.join(projects)}"
