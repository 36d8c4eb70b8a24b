"""The rules for instance data, shared by the HTML form and the JSON API."""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from .providers import PROVIDERS

NAME_MAX = 128
DESCRIPTION_MAX = 1000
ENDPOINT_MAX = 1024
SECRET_MAX = 4096
NAME_PATTERN = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*")
HOSTNAME_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_PORTS = {"http": 80, "https": 443}


class FieldError(ValueError):
    """A value breaks a rule; `field` names the input it came from."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def check_vendor(value) -> str:
    """Return the id of a registered provider or raise FieldError."""
    if value not in PROVIDERS:
        raise FieldError("vendor", "Provider must be one of: " + ", ".join(PROVIDERS) + ".")
    return value


def check_name(value: str | None) -> str:
    """Return a valid instance name or raise FieldError."""
    name = (value or "").strip()
    if not name:
        raise FieldError("name", "Name is required.")
    if len(name) > NAME_MAX:
        raise FieldError("name", f"Name must be at most {NAME_MAX} characters.")
    if not NAME_PATTERN.fullmatch(name):
        raise FieldError(
            "name",
            "Name may contain letters, digits and single '.', '_' or '-' between them,"
            " and must start and end with a letter or digit.",
        )
    return name


def check_description(value: str | None) -> str | None:
    """Return the description (None when blank) or raise FieldError."""
    text = (value or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise FieldError(
            "description", f"Description must be at most {DESCRIPTION_MAX} characters."
        )
    if CONTROL_CHARS.search(text.replace("\n", "").replace("\r", "").replace("\t", "")):
        raise FieldError("description", "Description must not contain control characters.")
    return text or None


def check_secret(field: str, label: str, value: str | None) -> str:
    """Return a required credential value or raise FieldError."""
    if not value:
        raise FieldError(field, f"{label} is required for this auth mode.")
    if len(value) > SECRET_MAX:
        raise FieldError(field, f"{label} must be at most {SECRET_MAX} characters.")
    if CONTROL_CHARS.search(value):
        raise FieldError(field, f"{label} must not contain control characters.")
    return value


def normalize_endpoint(value: str | None) -> str:
    """Return the endpoint in canonical form or raise FieldError.

    Canonical: lower-case scheme and host, no default port, no trailing slash.
    """
    raw = (value or "").strip()
    if not raw:
        raise FieldError("endpoint", "Endpoint is required.")
    if len(raw) > ENDPOINT_MAX:
        raise FieldError("endpoint", f"Endpoint must be at most {ENDPOINT_MAX} characters.")
    if CONTROL_CHARS.search(raw) or " " in raw or "\\" in raw:
        raise FieldError("endpoint", "Endpoint must not contain spaces or control characters.")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise FieldError("endpoint", "Endpoint is not a valid URL (check the host and port).")
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not raw.lower().startswith(scheme + "://"):
        raise FieldError("endpoint", "Endpoint must start with http:// or https://.")
    if "@" in parts.netloc:
        raise FieldError(
            "endpoint", "Endpoint must not contain a user name or password; use Auth Mode."
        )
    if "?" in raw or "#" in raw:
        raise FieldError("endpoint", "Endpoint must not contain a query (?) or fragment (#).")
    host = _normalize_host(parts.hostname or "")
    if port is not None and not 1 <= port <= 65535:
        raise FieldError("endpoint", "Endpoint port must be between 1 and 65535.")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    return f"{scheme}://{netloc}{path}"


def _normalize_host(host: str) -> str:
    """Return a lower-case host (IPv6 in brackets, IDN as punycode) or raise."""
    if not host:
        raise FieldError("endpoint", "Endpoint must name a host.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else str(address)
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise FieldError("endpoint", "Endpoint host is not a valid host name.")
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(HOSTNAME_LABEL.fullmatch(label) for label in labels):
        raise FieldError("endpoint", "Endpoint host is not a valid host name.")
    return ".".join(labels)
