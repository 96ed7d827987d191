"""Domain errors; the edges map them to HTTP statuses or CLI messages."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base class: a message fit to show a user, plus optional details."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """A stale version or a clash with existing data."""


class Invalid(ServiceError):
    """Bad input; ``details`` may name the field, file or line."""


class Forbidden(ServiceError):
    pass
