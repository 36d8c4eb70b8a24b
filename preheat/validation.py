"""The rules for instance data, shared by the HTML form and the JSON API."""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, urlsplit

from .providers import PROVIDERS

NAME_MAX = 128
DESCRIPTION_MAX = 1000
ENDPOINT_MAX = 1024
SECRET_MAX = 4096
HOST_MAX = 253  # the longest host name DNS allows
PORT_MAX = 65535
NAME_PATTERN = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*")
HOSTNAME_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_PORTS = {"http": 80, "https": 443}
PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# What may stay literal in a path (RFC 3986 pchar and "/"); "%" keeps existing escapes.
PATH_SAFE = "/:@!$&'()*+,;=-._~%"
IPV4_PART = re.compile(r"0[xX][0-9A-Fa-f]*|0[0-7]*|[1-9][0-9]*")
NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")


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

    Canonical: lower-case scheme and host, IPv4 in dotted-decimal, no default
    port, a path without dot segments, escapes of unreserved characters decoded
    and no trailing slash; so one address has one spelling, and uniqueness holds.
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
    if port is not None and not 1 <= port <= PORT_MAX:
        raise FieldError("endpoint", f"Endpoint port must be between 1 and {PORT_MAX}.")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = normalize_path(parts.path).rstrip("/")
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
        if address.version == 6 and address.ipv4_mapped:  # the same IPv4 host
            return str(address.ipv4_mapped)
        return f"[{address.compressed}]" if address.version == 6 else str(address)
    dotted = _numeric_ipv4(host.removesuffix("."))
    if dotted is not None:
        return dotted
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise FieldError("endpoint", "Endpoint host is not a valid host name.")
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > HOST_MAX or not all(HOSTNAME_LABEL.fullmatch(label) for label in labels):
        raise FieldError("endpoint", "Endpoint host is not a valid host name.")
    return ".".join(labels)


def normalize_path(path: str) -> str:
    """The path with unreserved escapes decoded, other escapes upper-case, no dot segments."""
    def unescape(match):
        char = chr(int(match.group(1), 16))
        return char if char in UNRESERVED else "%" + match.group(1).upper()
    path = quote(PERCENT_ESCAPE.sub(unescape, path), safe=PATH_SAFE)
    return remove_dot_segments(path)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: resolve "." and ".." segments of an absolute path."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if not path or result.startswith("/") else "/" + result


def _numeric_ipv4(host: str) -> str | None:
    """A host in any numeric IPv4 spelling inet_aton accepts, as dotted decimal.

    127.1, 2130706433, 0x7f000001 and 0177.0.0.1 all connect to 127.0.0.1;
    None when the host is a name. Like browsers, a host whose last label is a
    number must be a valid address.
    """
    labels = host.split(".")
    if not NUMERIC_LABEL.fullmatch(labels[-1]):
        return None
    if len(labels) > 4 or not all(IPV4_PART.fullmatch(label) for label in labels):
        raise FieldError("endpoint", "Endpoint host looks like an IPv4 address but is not one.")
    values = [int(label[2:] or "0", 16) if label[:2].lower() == "0x" else
              int(label, 8) if label.startswith("0") and len(label) > 1 else int(label)
              for label in labels]
    *head, tail = values
    if any(value > 255 for value in head) or tail >= 256 ** (5 - len(values)):
        raise FieldError("endpoint", "Endpoint host looks like an IPv4 address but is not one.")
    number = sum(value << (8 * (3 - index)) for index, value in enumerate(head)) + tail
    return str(ipaddress.IPv4Address(number))
