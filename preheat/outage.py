"""Recognising a database outage, so it becomes a 503 instead of a 500."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

MESSAGE = ("Preheat cannot reach its database right now. It reconnects by itself"
           " when the database is back; try again shortly.")


def is_outage(error: BaseException) -> bool:
    """Whether `error` means the database is unreachable (not a bug in a query)."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def recover(error: DBAPIError, session) -> None:
    """Re-raise `error` unless it is an outage; after one, reset the session.

    A dead connection may refuse even the rollback: then the session is closed.
    """
    if not is_outage(error):
        raise error
    try:
        session.rollback()
    except DBAPIError:
        session.close()


def unavailable_page():
    """The 503 page as a response tuple.

    Rendered straight from the Jinja environment: context processors (such as
    Flask-Login's, which loads the current user) would need the database.
    """
    template = current_app.jinja_env.get_template("preheat/unavailable.html")
    return template.render(message=MESSAGE), 503, {"Retry-After": "5"}
