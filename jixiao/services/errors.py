"""What the application layer refuses, besides wrong values (``InputError``).

Each carries a Chinese message for the user and the place it concerns; the shells map them to
HTTP statuses and exit codes (see ``jixiao.services``).
"""
from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a message the user can act on."""

    def __init__(self, message: str, location: str = ""):
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}：{self.message}" if self.location else self.message


class Denied(ServiceError):
    """The actor's role, or the object's workflow state, does not allow this."""


class Conflict(ServiceError):
    """The object was changed by someone else since the version the caller based this on."""


class NotFound(ServiceError):
    """The object does not exist, or lies outside the actor's departments (never say which)."""
