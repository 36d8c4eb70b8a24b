"""Where the login may send the browser afterwards: only to a page of this app."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def safe_next(target: str | None) -> str:
    """`target` if it is a plain path on this app, else the Distributions page.

    Browsers drop tabs and newlines from a Location and read a backslash as a
    slash, so "/\\t/evil.example" or "/\\\\evil.example" would take a freshly
    logged-in admin to another site; CR/LF would break the header. Rather
    than repair such a value, refuse it.
    """
    fallback = url_for("preheat.distributions")
    if not target or len(target) > 2048 or not _plain(target):
        return fallback
    parts = urlsplit(target)
    # "///x" splits into an empty netloc and the path "/x", yet a browser goes to host x.
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return fallback
    root = request.script_root
    if root and parts.path != root and not parts.path.startswith(root + "/"):
        return fallback
    return target


def _plain(target: str) -> bool:
    # Printable, no whitespace of any kind (Unicode spaces too), no backslash.
    return target.isprintable() and not any(c.isspace() or c == "\\" for c in target)
