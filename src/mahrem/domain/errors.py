"""Errors with a stable machine code, shared by every door (API, CLI, portal, runner)."""

from __future__ import annotations


class MahremError(Exception):
    """Base error: `code` is stable and machine-readable, `message` is for people."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class InputError(MahremError):
    """Bad input: unknown id, invalid field, a reference across patients. Changes nothing."""


class NotFound(InputError):
    """An id that names nothing Mahrem knows."""


class Refused(MahremError):
    """The law refuses what was asked; `basis` is the article that refuses (e.g. 7/1)."""

    def __init__(self, code: str, message: str, *, basis: str, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
        self.basis = basis


class Forbidden(MahremError):
    """The caller may not see or do this (a role the law reserves to someone else)."""


class PreconditionFailed(MahremError):
    """A condition the caller set does not hold (HTTP If-Match, If-None-Exist): nothing changed."""


class NotSupported(MahremError):
    """Something Mahrem does not do (an unknown resource type, an interaction it lacks)."""
