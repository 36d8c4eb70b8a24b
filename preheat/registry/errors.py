"""What a registry call raises when it cannot give its answer: a sentence for a sysadmin."""
from __future__ import annotations


# Answers that say "not now" rather than "no".
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class RegistryError(Exception):
    """A registry call failed; `reason` says why and never carries a secret. `transient`:
    the same call may work later (no answer in time, refused, the registry busy or failing
    for a moment), unlike a refusal of the credentials or a missing image."""

    def __init__(self, reason: str, http_status: int | None = None, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.transient = transient or http_status in TRANSIENT_STATUSES


class CatalogNotAllowed(RegistryError):
    """The registry refuses to list its repositories to these credentials."""


def error_code(response) -> str:
    """' (CODE)' for the registry's first error code (PAGINATION_NUMBER_INVALID), or ''.

    Only a code's shape is let through: an upper-case word we can repeat safely.
    """
    body = response.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    code = errors[0].get("code") if isinstance(errors, list) and errors and \
        isinstance(errors[0], dict) else None
    return f" ({code})" if isinstance(code, str) and code.isupper() and len(code) < 40 \
        and code.replace("_", "").isalpha() else ""
