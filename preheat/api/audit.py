"""The audit log resource: who changed or tried what, newest first."""
from __future__ import annotations

from flask import request

from ..state import current_state
from ..services import audit
from ..services.audit_pages import audit_page
from ..validation import CONTROL_CHARS
from . import query
from .errors import ApiError
from .openapi import PAGING, Reply, operation
from .parameters import AuditQuery
from .responses import AuditEntries
from .routing import route
from .serialize import entry_json

TEXT_FILTERS = ("instance", "user")


def register(bp) -> None:
    route(bp, "/p2p/preheat/audit-logs", "audit_logs", GET=list_audit_logs)


@operation("ListAuditLogs", {200: Reply("One page of audit entries, newest first.",
                                        AuditEntries, PAGING)},
           query=AuditQuery, errors=(400,),
           description="Every create, update (the fields that changed, never secret values),"
                       " enable, deactivate, delete, test connection and refused attempt: who,"
                       " when, from which address, and the outcome.")
def list_audit_logs():
    """List audit entries, filtered by instance, user, action and outcome, with paging headers."""
    filters = _filters(request.args)
    number = query.integer(request.args, "page", 1, 1, query.MAX_PAGE)
    size = query.integer(request.args, "page_size", query.DEFAULT_PAGE_SIZE, 1,
                         query.MAX_PAGE_SIZE)
    session = current_state().session
    page = audit_page(session, **filters, number=number, size=size, clamp=False)
    return query.paged_json([entry_json(entry) for entry in page.items], page, ".audit_logs",
                            {key: value for key, value in filters.items() if value})


def _filters(args) -> dict:
    filters = {}
    for name in TEXT_FILTERS:
        value = args.get(name, "")
        if len(value) > query.TEXT_FILTER_MAX or CONTROL_CHARS.search(value):
            raise ApiError(400, f"{name} must be at most {query.TEXT_FILTER_MAX} characters,"
                                " without control characters.", name)
        filters[name] = value
    for name, allowed in (("action", audit.ACTIONS), ("outcome", audit.OUTCOMES)):
        value = args.get(name, "")
        if value and value not in allowed:
            raise ApiError(400, f"{name} must be one of: {', '.join(allowed)}.", name)
        filters[name] = value
    return filters
