"""What a user who is no sysadmin may read of a message: no endpoint of an instance or registry.

Execution and task messages quote what a provider or registry answered, which
often names its address (host:port). A project maintainer reads them with
every stored endpoint, its host:port and its host replaced.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import g
from flask_login import current_user
from sqlalchemy import select

from .access import is_sysadmin
from .models import Instance, Registry
from .state import current_state

HIDDEN = "(address hidden)"


def for_viewer(text: str | None) -> str:
    """`text` as the current user may read it."""
    text = text or ""
    if not text or is_sysadmin(current_user):
        return text
    for secret in _addresses():
        text = text.replace(secret, HIDDEN)
    return text


def _addresses() -> list[str]:
    """Every stored endpoint, its host:port and host; longest first, once per request."""
    found = getattr(g, "_preheat_addresses", None)
    if found is None:
        session = current_state().session
        urls = [*session.scalars(select(Instance.endpoint)),
                *session.scalars(select(Registry.url)),
                *session.scalars(select(Registry.public_url))]
        parts = set()
        for url in filter(None, urls):
            split = urlsplit(url)
            parts.update(filter(None, (url.rstrip("/"), split.netloc, split.hostname)))
        found = g._preheat_addresses = sorted(parts, key=len, reverse=True)
    return found
