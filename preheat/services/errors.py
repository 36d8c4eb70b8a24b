"""Errors the service layer raises; views and the API turn them into responses."""
from __future__ import annotations

from ..validation import FieldError


DELETED_MEANWHILE = "The instance was deleted by someone else meanwhile; reload to see the list."


class ServiceError(Exception):
    """Base of every error a caller can show to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """No such instance."""


class Conflict(ServiceError):
    """The value collides with another instance (duplicate name or endpoint)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class InUse(ServiceError):
    """The instance is referenced by preheat policies."""

    def __init__(self, message: str, policies: list[str]):
        super().__init__(message)
        self.policies = policies


__all__ = ["ServiceError", "NotFound", "Conflict", "InUse", "FieldError"]
