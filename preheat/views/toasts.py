"""The short success messages a page shows after a change (htmx.done's toast)."""
from __future__ import annotations

PAST = {"enable": "enabled", "deactivate": "deactivated", "delete": "deleted"}
# Beyond this many, a list of names is longer than anyone reads in a few seconds.
NAMED_AT_MOST = 3


def saved(name: str, *, created: bool) -> str:
    """'Instance df-prod created.' or '... updated.'"""
    return f"Instance {name} {'created' if created else 'updated'}."


def applied(action: str, names: list[str]) -> str:
    """'Instance df-prod deleted.', '2 instances deleted: a, b.' or '12 instances deleted.'"""
    verb = PAST[action]
    if len(names) == 1:
        return f"Instance {names[0]} {verb}."
    if len(names) <= NAMED_AT_MOST:
        return f"{len(names)} instances {verb}: {', '.join(names)}."
    return f"{len(names)} instances {verb}."
