"""Error responses of the pages: a message, never a stack trace or a login form."""
from __future__ import annotations

from flask import render_template
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import ObjectDeletedError
from werkzeug.exceptions import HTTPException

from .. import outage
from ..state import current_state
from ..htmx import is_htmx
from ..services.errors import DELETED_MEANWHILE, NotFound

MESSAGES = {
    400: "The request was not understood.",
    403: "Only system administrators can manage P2P preheat providers.",
    404: "There is nothing here: it may have been deleted.",
    405: "That action is not allowed here.",
}
# What the page is, in words; the code alone ("403") tells a person nothing.
HEADINGS = {
    400: "Request not understood",
    403: "No access to P2P preheat",
    404: "Not found",
    405: "Not allowed",
}


def register(bp) -> None:
    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(NotFound, not_found)
    bp.register_error_handler(DBAPIError, database_error)
    bp.register_error_handler(ObjectDeletedError, deleted_meanwhile)


def http_error(error: HTTPException):
    """Show a plain message for an HTTP error (as text to htmx, as a page otherwise)."""
    code = error.code or 500
    message = error.description if _custom(error) else MESSAGES.get(code, error.name)
    return _respond(code, message)


def not_found(error: NotFound):
    """A service-layer NotFound is a 404 with its own message."""
    return _respond(404, error.message)


def deleted_meanwhile(error: ObjectDeletedError):
    """Another request deleted the instance while this one was using it."""
    return _respond(404, DELETED_MEANWHILE)


def database_error(error: DBAPIError):
    """An unreachable database is a 503 that clears up by itself; anything else is a bug."""
    outage.recover(error, current_state().session)
    if is_htmx():
        return outage.MESSAGE, 503, {"Content-Type": "text/plain; charset=utf-8",
                                     "Retry-After": "5"}
    return outage.unavailable_page()


def _respond(code: int, message: str):
    if is_htmx():
        return message, code, {"Content-Type": "text/plain; charset=utf-8"}
    heading = HEADINGS.get(code, "Something went wrong")
    return render_template("preheat/error.html", code=code, heading=heading,
                           message=message), code


def _custom(error: HTTPException) -> bool:
    return error.description != type(error).description
