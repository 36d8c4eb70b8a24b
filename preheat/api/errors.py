"""Every API error as Harbor's shape: {"errors": [{"code", "message"}]}, never a page."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import ObjectDeletedError
from werkzeug.exceptions import HTTPException, default_exceptions

from .. import outage
from ..crypto import SecretError
from ..state import current_state
from ..services.errors import DELETED_MEANWHILE, Conflict, InUse, NotFound
from ..services.on_demand import Busy
from ..validation import FieldError

CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    412: "PRECONDITION",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}
MESSAGES = {
    400: "The request was not understood.",
    401: "Authenticate with HTTP Basic (a sysadmin's username and password).",
    403: "Only system administrators can manage P2P preheat providers.",
    404: "There is no such API resource.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    415: "Send the body as JSON with Content-Type: application/json.",
    429: "Too many requests: wait as long as Retry-After says, then try again.",
    500: "The server failed unexpectedly; the server log has the details.",
}
# Service fields that live inside auth_info in the API's payload.
SECRET_FIELDS = {"username", "password", "token"}


class ApiError(Exception):
    """An error with a status and a message meant for the client."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def error_response(status: int, message: str, field: str | None = None, headers=None):
    """The JSON error body for `status`, naming `field` when there is one."""
    item = {"code": CODES.get(status, "ERROR"), "message": message}
    if field:
        item["field"] = field
    response = jsonify({"errors": [item]})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register(bp) -> None:
    """Answer every error raised in the API blueprint with JSON."""
    # Per code as well: a host's app-wide handler for a code would otherwise win.
    for code in default_exceptions:
        bp.register_error_handler(code, http_error)
    bp.register_error_handler(ApiError, api_error)
    bp.register_error_handler(Busy, busy)
    bp.register_error_handler(FieldError, field_error)
    bp.register_error_handler(Conflict, conflict)
    bp.register_error_handler(InUse, in_use)
    bp.register_error_handler(NotFound, not_found)
    bp.register_error_handler(SecretError, secret_error)
    bp.register_error_handler(ObjectDeletedError, deleted_meanwhile)
    bp.register_error_handler(DBAPIError, database_error)


def http_error(error: HTTPException):
    """An HTTP error from routing, access or werkzeug, as JSON with its headers."""
    code = error.code or 500
    # Flask has already logged an unexpected exception behind a 500.
    custom = error.description != type(error).description and code != 500
    message = error.description if custom else MESSAGES.get(code, error.name)
    headers = {name: value for name, value in error.get_headers()
               if name.lower() != "content-type"}
    return error_response(code, message, headers=headers)


def api_error(error: ApiError):
    return error_response(error.status, error.message, error.field)


def busy(error: Busy):
    """Every on-demand check slot is taken: 429, and when to try again."""
    return error_response(429, error.message,
                          headers={"Retry-After": str(error.retry_after)})


def field_error(error: FieldError):
    """A broken rule: 400 naming the field as the payload spells it."""
    field = payload_field(error.field)
    return error_response(400, f"{field}: {error.message}", field)


def conflict(error: Conflict):
    return error_response(409, error.message, payload_field(error.field))


def in_use(error: InUse):
    return error_response(412, error.message)


def not_found(error: NotFound):
    return error_response(404, error.message)


def deleted_meanwhile(error: ObjectDeletedError):
    """Another request deleted the instance while this one was using it."""
    return error_response(404, DELETED_MEANWHILE)


def database_error(error: DBAPIError):
    """An unreachable database is a 503 that clears up by itself; anything else is a bug."""
    outage.recover(error, current_state().session)
    return error_response(503, outage.MESSAGE, headers={"Retry-After": "5"})


def secret_error(error: SecretError):
    """Stored credentials the current keys cannot open: the sysadmin must re-enter them."""
    return error_response(409, f"The stored credentials cannot be used: {error}."
                               " Send auth_info again to replace them.", "auth_info")


def payload_field(field: str) -> str:
    """The name a service-layer field has in the API's JSON."""
    return f"auth_info.{field}" if field in SECRET_FIELDS else field
