"""The Audit log page: who changed or tried what, filterable and paged."""
from __future__ import annotations

from flask import request

from ..state import current_state
from ..htmx import page_or_partial
from ..services import audit
from ..services.audit_pages import audit_page
from ..services.pages import search_text
from . import urls

PAGE_SIZE = 25


def register(bp) -> None:
    bp.add_url_rule("/audit-log", "audit_log", audit_log)


def audit_log():
    """Show the audit log, newest first, filtered by instance, user, action and outcome."""
    session = current_state().session
    filters = {key: search_text(request.args.get(key))
               for key in ("instance", "user", "action", "outcome")}
    for key, allowed in (("action", audit.ACTIONS), ("outcome", audit.OUTCOMES)):
        if filters[key] not in allowed:
            filters[key] = ""
    page = audit_page(session, **filters, number=request.args.get("page", 1, type=int),
                      size=PAGE_SIZE)
    return page_or_partial("preheat/audit_log.html", "preheat/_audit_entries.html",
                           page=page, filters=filters, actions=audit.ACTIONS,
                           outcomes=audit.OUTCOMES, preheat_title="Audit log",
                           audit_url=urls.with_query("preheat.audit_log"))
