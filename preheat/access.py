"""Who may reach Preheat: decided here, once, for every page and API route."""
from __future__ import annotations

import hmac

from flask import abort, current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf
from sqlalchemy import select
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, TooManyRequests, Unauthorized

from .models import Project
from .state import current_state
from .htmx import is_htmx, refresh_page
from .services import audit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "X-CSRFToken"
API_REALM = "Preheat"
WRONG_LOGIN = "wrong username or password, or a deactivated user"
THROTTLED = "too many failed logins"


# The routes of one project (its name in the URL, under this argument), which a user
# the host's can_manage_project allows for that project may reach as well as sysadmins.
PROJECT_PAGES = {
    "preheat.project", "preheat.repository", "preheat.open_repository",
    "preheat.policies", "preheat.edit_selected_policy", "preheat.confirm_policy_action",
    "preheat.run_policy_action", "preheat.new_policy", "preheat.edit_policy",
    "preheat.policy_provider_fields", "preheat.policy_preview",
    "preheat.policy_trigger_fields", "preheat.policy_schedule_check",
    "preheat.executions", "preheat.confirm_stop", "preheat.stop_execution",
    "preheat.retry_execution", "preheat.execution_tasks", "preheat.execution_task",
}
PROJECT_PAGE_ARGUMENT = "name"
PROJECT_API = {"preheat_api.project_providers", "preheat_api.policies", "preheat_api.policy",
               "preheat_api.executions", "preheat_api.execution", "preheat_api.tasks",
               "preheat_api.task_log"}
PROJECT_API_ARGUMENT = "project_name"
# The Projects page: a user who may manage some project sees those projects alone.
PROJECT_LIST = "preheat.projects"
NOT_A_SYSADMIN = "Only system administrators can manage P2P preheat providers."
NO_PROJECT = ("You may not manage the preheat policies of project {name}; ask a system"
              " administrator or the project's maintainers.")
NO_PROJECTS = "You may not manage the preheat policies of any project."


def is_sysadmin(user) -> bool:
    """Whether `user` may manage Preheat, by the host's predicate."""
    return bool(user.is_authenticated and current_state().is_sysadmin(user))


def may_manage_project(user, project_name: str) -> bool:
    """Whether `user` may manage project `project_name`'s policies and read its executions.

    Sysadmins may manage every project; anyone else as the host's
    can_manage_project says (by default, no one).
    """
    if not user.is_authenticated:
        return False
    if is_sysadmin(user):
        return True
    try:
        return bool(current_state().can_manage_project(user, project_name))
    except Exception:  # a host predicate that fails refuses, it never answers 500
        current_app.logger.exception("can_manage_project failed for project %r",
                                     project_name)
        return False


def manageable_projects(user, names) -> list[str]:
    """Those of the project `names` that `user` may manage."""
    return [name for name in names if may_manage_project(user, name)]


def _refusal(user, endpoint: str | None, scoped: set[str], argument: str) -> str | None:
    """Why `user` may not reach this request's route, or None when they may."""
    if is_sysadmin(user):
        return None
    if endpoint in scoped:
        name = (request.view_args or {}).get(argument)
        if name is not None and may_manage_project(user, name):
            return None
        return NO_PROJECT.format(name=name)
    if endpoint == PROJECT_LIST:
        if request.method in SAFE_METHODS and _manages_some_project(user):
            return None
        return NO_PROJECTS if request.method in SAFE_METHODS else NOT_A_SYSADMIN
    return NOT_A_SYSADMIN


def _manages_some_project(user) -> bool:
    names = current_state().session.scalars(select(Project.name))
    return any(may_manage_project(user, name) for name in names)


def require_sysadmin_page():
    """before_request for the HTML pages: login, then sysadmin, then CSRF."""
    if request.endpoint == "preheat.static":
        return None
    if not current_user.is_authenticated:
        if is_htmx():
            return refresh_page()
        return current_state().login_manager.unauthorized()
    refused = _refusal(current_user, request.endpoint, PROJECT_PAGES, PROJECT_PAGE_ARGUMENT)
    if refused:
        audit.audit_refusal(current_state().session, "page")
        abort(403, refused)
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


def leave_csrf_to_us(blueprint) -> None:
    """Exempt `blueprint` from a host's CSRFProtect: our own check covers its routes.

    A host's CSRFProtect would otherwise refuse API calls authenticated by
    HTTP Basic, which carry no token and need none. The host may set up
    CSRFProtect before or after Preheat: exempt at registration, and again
    in a before_request hook that runs ahead of one registered later.
    """
    @blueprint.record_once
    def _join_host(setup_state):
        _exempt(setup_state.app.extensions.get("csrf"), blueprint)
        setup_state.app.before_request(
            lambda: _exempt(current_app.extensions.get("csrf"), blueprint))


def _exempt(csrf, blueprint) -> None:
    if csrf is not None and blueprint.name not in csrf._exempt_blueprints:
        csrf.exempt(blueprint)


def require_sysadmin_api():
    """before_request for the JSON API: credentials, then sysadmin, then CSRF for sessions.

    A request with an Authorization header is judged by that header alone,
    through the host's Flask-Login request_loader. Without one, the session
    decides, and an unsafe method must then carry the CSRF token header.
    """
    by_header = "Authorization" in request.headers
    try:
        user = _user_from_header() if by_header else current_user
    except TooManyRequests:
        audit.audit_refusal(current_state().session, "api", refused_credentials=THROTTLED)
        raise
    if user is None or not user.is_authenticated or not getattr(user, "is_active", True):
        if by_header:  # without credentials, a 401 is only the login challenge
            audit.audit_refusal(current_state().session, "api", refused_credentials=WRONG_LOGIN)
        raise Unauthorized("Authenticate with HTTP Basic (a sysadmin's username and password)"
                           " or log in first.",
                           www_authenticate=WWWAuthenticate("basic", {"realm": API_REALM}))
    refused = _refusal(user, request.endpoint, PROJECT_API, PROJECT_API_ARGUMENT)
    if refused:
        audit.audit_refusal(current_state().session, "api")
        raise Forbidden(refused)
    if not by_header and request.method not in SAFE_METHODS and not _api_csrf_token_valid():
        raise Forbidden(f"The CSRF token is missing or invalid: send the page's token in the"
                        f" {CSRF_HEADER} header, or authenticate with HTTP Basic instead.")


METRICS_REALM = "Preheat metrics"
METRICS_REFUSED = ("Send the metrics token (PREHEAT_METRICS_TOKEN) in the Authorization header:"
                   " Bearer <token>, or log in as a system administrator.")
WRONG_METRICS_TOKEN = "not the metrics token"


def require_metrics_reader():
    """before_request for /metrics: the metrics token, else a sysadmin's session.

    As for the API, a request with an Authorization header is judged by that
    header alone; without PREHEAT_METRICS_TOKEN no header is accepted.
    """
    header = request.headers.get("Authorization")
    if header is not None:
        if _is_metrics_token(header):
            return None
        audit.audit_refusal(current_state().session, "metrics",
                            refused_credentials=WRONG_METRICS_TOKEN)
    elif current_user.is_authenticated:
        if is_sysadmin(current_user):
            return None
        audit.audit_refusal(current_state().session, "metrics")
        raise Forbidden(NOT_A_SYSADMIN)
    raise Unauthorized(METRICS_REFUSED,
                       www_authenticate=WWWAuthenticate("bearer", {"realm": METRICS_REALM}))


def _is_metrics_token(header: str) -> bool:
    expected = current_app.config.get("PREHEAT_METRICS_TOKEN")
    scheme, _, given = header.partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), str(expected).encode())


def _user_from_header():
    manager = current_state().login_manager
    # Flask-Login's per-request slot: current_user names this user (or nobody,
    # also when the loader refuses with an HTTP error) for the rest of the
    # request, so the loader, and the throttle's count of a wrong password, runs
    # once; unlike login_user, no session is written.
    g._login_user = manager.anonymous_user()
    user = manager.request_callback(request) if manager.request_callback else None
    if user is not None:
        g._login_user = user
    return user


def _api_csrf_token_valid() -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.headers.get(CSRF_HEADER))
    except ValidationError:
        return False
    return True
