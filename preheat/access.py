"""Who may reach Preheat: decided here, once, for every page and API route."""
from __future__ import annotations

from flask import abort, current_app, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from .htmx import is_htmx, refresh_page
from .services import audit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "X-CSRFToken"


def state():
    return current_app.extensions["preheat"]


def is_sysadmin(user) -> bool:
    """Whether `user` may manage Preheat, by the host's predicate."""
    return bool(user.is_authenticated and state().is_sysadmin(user))


def require_sysadmin_page():
    """before_request for the HTML pages: login, then sysadmin, then CSRF."""
    if request.endpoint == "preheat.static":
        return None
    if not current_user.is_authenticated:
        if is_htmx():
            return refresh_page()
        return state().login_manager.unauthorized()
    if not is_sysadmin(current_user):
        audit.record_failure(state().db.session, "access_denied", name=None,
                             object_type="page", detail=f"{request.method} {request.path}")
        abort(403)
    if request.method not in SAFE_METHODS:
        check_csrf()
    return None


def check_csrf() -> None:
    """Refuse an unsafe request that lacks a valid CSRF token (header or form)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    token = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token")
    try:
        validate_csrf(token)
    except ValidationError:
        abort(400, "The security token of this page is missing or has expired."
                   " Reload the page and try again.")


def exempt_from_host_csrf(blueprint):
    """Return a hook that leaves our routes to our own CSRF check.

    A host's CSRFProtect would otherwise refuse API calls authenticated by
    HTTP Basic, which carry no token and need none.
    """
    def hook():
        csrf = current_app.extensions.get("csrf")
        if csrf is not None and blueprint.name not in csrf._exempt_blueprints:
            csrf.exempt(blueprint)
    return hook
