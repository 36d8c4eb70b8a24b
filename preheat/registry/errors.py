"""What a registry call raises when it cannot give its answer: a sentence for a sysadmin."""
from __future__ import annotations


class RegistryError(Exception):
    """A registry call failed; `reason` says why and never carries a secret."""

    def __init__(self, reason: str, http_status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status


class CatalogNotAllowed(RegistryError):
    """The registry refuses to list its repositories to these credentials."""
