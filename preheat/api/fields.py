"""The field types of the API's payloads: each rule once, from the shared constants.

The same annotations validate request bodies and give the OpenAPI document
its patterns, lengths and enums, so the two cannot drift apart.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from ..models import AUTH_MODES
from ..providers import PROVIDERS
from ..validation import DESCRIPTION_MAX, ENDPOINT_MAX, NAME_MAX, NAME_PATTERN, SECRET_MAX
from .endpoint_pattern import ENDPOINT_PATTERN

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
# Tabs and line breaks are text in a description; other control characters are not.
DESCRIPTION_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _unicode(value):
    # Before the pattern: a lone surrogate is not text, whatever else it breaks.
    try:
        if isinstance(value, str):
            value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("unicode_text", "Must be valid Unicode text.") from None
    return value


def _trimmed(value: str) -> str:
    if value != value.strip():
        raise PydanticCustomError("trimmed", "Must not start or end with white space.")
    return value


def _whole(value):
    # JSON Schema calls 3.0 an integer too; strict mode alone would refuse it.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Text = Annotated[str, BeforeValidator(_unicode)]


def text(*rules, **constraints):
    """A string type under `constraints` (max_length, pattern...), valid Unicode, then `rules`."""
    return Annotated[str, StringConstraints(**constraints), BeforeValidator(_unicode), *rules]


Name = text(AfterValidator(_trimmed),
            Field(description="Letters and digits, with single '.', '_' or '-' between them;"
                              " unique without regard to case."),
            max_length=NAME_MAX, pattern=f"^{NAME_PATTERN.pattern}$")
Description = text(Field(description="Free text; tabs and line breaks allowed, other control"
                                     " characters not."),
                   max_length=DESCRIPTION_MAX, pattern=DESCRIPTION_PATTERN)
Endpoint = text(AfterValidator(_trimmed),
                Field(description="An http:// or https:// URL: an ASCII host name, an IPv4 or a"
                                  " bracketed IPv6 address, an optional port and path; no"
                                  " credentials, query or fragment. Stored normalized, and"
                                  " unique."),
                max_length=ENDPOINT_MAX, pattern=ENDPOINT_PATTERN)
EndpointOrEmpty = text(AfterValidator(_trimmed),
                       Field(description="An address as for an endpoint, or empty for none."),
                       max_length=ENDPOINT_MAX, pattern=f"^$|{ENDPOINT_PATTERN}")
Secret = text(max_length=SECRET_MAX, pattern=NO_CONTROL)
GivenSecret = text(min_length=1, max_length=SECRET_MAX, pattern=NO_CONTROL)
Vendor = Literal[tuple(PROVIDERS)]
AuthMode = Literal[AUTH_MODES]
WholeNumber = Annotated[int, BeforeValidator(_whole)]
Ignored = Field(default=None, description="Read-only: accepted as GET returned it, and ignored.")
