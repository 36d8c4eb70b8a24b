"""The short success messages a page shows after a change (htmx.done's toast)."""
from __future__ import annotations

PAST = {"enable": "enabled", "deactivate": "deactivated", "delete": "deleted",
        "execute": "started"}
# Beyond this many, a list of names is longer than anyone reads in a few seconds.
NAMED_AT_MOST = 3


def saved(name: str, *, created: bool, noun: str = "instance") -> str:
    """'Instance df-prod created.' or '... updated.'"""
    return f"{noun.capitalize()} {name} {'created' if created else 'updated'}."


def applied(action: str, names: list[str], kind=None) -> str:
    """'Instance df-prod deleted.', '2 instances deleted: a, b.' or '12 instances deleted.'"""
    one, many = (kind.one, kind.many) if kind else ("instance", "instances")
    verb = PAST[action]
    if len(names) == 1:
        return f"{one.capitalize()} {names[0]} {verb}."
    if len(names) <= NAMED_AT_MOST:
        return f"{len(names)} {many} {verb}: {', '.join(names)}."
    return f"{len(names)} {many} {verb}."
