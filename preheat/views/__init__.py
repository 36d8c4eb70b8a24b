"""The HTML pages of Preheat, as one blueprint mounted wherever the host wants."""
from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..access import is_sysadmin, leave_csrf_to_us, require_sysadmin_page
from ..redaction import for_viewer
from .. import source_projects
from ..source_projects import adopt_asked
from ..state import current_state
from . import (actions, audit_log, distributions, errors, instance_form, policies,
               presenters, project, projects, registries, status)


def make_blueprint() -> Blueprint:
    """Build the pages blueprint: routes, access rules, error pages, template globals."""
    bp = Blueprint("preheat", "preheat", template_folder="templates",
                   static_folder="static", static_url_path="/preheat-static")
    # Before the gate: a maintainer's project from the host's source is then known to it.
    bp.before_request(adopt_asked)
    bp.before_request(require_sysadmin_page)
    for module in (distributions, instance_form, actions, registries, projects, project,
                   policies, audit_log, errors):
        module.register(bp)

    leave_csrf_to_us(bp)

    @bp.context_processor
    def _template_globals():
        state = current_state()
        return {"preheat_base_template": state.layout(current_app.jinja_env),
                "preheat_load_htmx": current_app.config["PREHEAT_LOAD_HTMX"],
                "preheat_csrf_token": generate_csrf,
                # Endpoints, credentials and the managing of projects are for sysadmins.
                "preheat_is_sysadmin": is_sysadmin(current_user),
                "preheat_poll_url": status.poll_url,
                # What names the projects when the host has its own image source, or None.
                "preheat_host_source": None if state.host_source is None
                else source_projects.label(state.host_source),
                **presenters.template_helpers()}

    bp.add_app_template_filter(presenters.format_datetime, "preheat_datetime")
    bp.add_app_template_filter(for_viewer, "preheat_for_viewer")
    bp.add_app_template_filter(presenters.format_seconds, "preheat_seconds")
    bp.add_app_template_filter(presenters.iso_utc, "preheat_iso")

    return bp
