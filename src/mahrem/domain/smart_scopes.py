"""SMART on FHIR scopes for machine clients (SMART App Launch 2.x, "Scopes for requesting
clinical data"): `system/<Type>.<permissions>`, where the permissions are a subset of `cruds`
in that order (create, read, update, delete, search) and `*` stands for every type.

A SMART 1 scope (`system/Observation.read`, `.write`, `.*`) is read as its SMART 2 equivalent.
Query-restricted scopes (`system/Observation.rs?category=laboratory`) are not supported: they
are refused rather than widened to the whole type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mahrem.domain.errors import InputError

LETTERS = "cruds"
_SCOPE = re.compile(r"system/(?P<type>\*|[A-Z][A-Za-z]{0,63})\.(?P<perms>[a-z*]{1,6})")
_SMART1 = {"read": "rs", "write": "cud", "*": "cruds"}


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    """One granted permission set: `type` is a FHIR resource type or `*`."""

    type: str
    permissions: str

    def __str__(self) -> str:
        return f"system/{self.type}.{self.permissions}"

    def covers(self, resource_type: str, letter: str) -> bool:
        """Whether this scope allows `letter` (one of c, r, u, d, s) on `resource_type`."""
        return self.type in ("*", resource_type) and letter in self.permissions


def parse_scope(text: str) -> Scope:
    """One scope, or InputError("smart.scope_invalid") naming what is wrong with it."""
    match = _SCOPE.fullmatch(text)
    if match is None:
        raise InputError(
            "smart.scope_invalid",
            f"{text[:80]!r}: not a SMART system scope (system/<Type>.<cruds>, e.g. "
            "system/Observation.rs)",
            field="scope",
        )
    perms = _SMART1.get(match["perms"], match["perms"])
    if not perms or any(c not in LETTERS for c in perms) or perms != _in_order(perms):
        raise InputError(
            "smart.scope_invalid",
            f"{text[:80]!r}: permissions are a subset of c, r, u, d, s in that order",
            field="scope",
        )
    return Scope(match["type"], perms)


def _in_order(perms: str) -> str:
    return "".join(c for c in LETTERS if c in perms)


def parse_scopes(text: str) -> tuple[Scope, ...]:
    """A space-separated scope string (OAuth 2's `scope`), each scope checked, duplicates kept
    once, in a stable order."""
    return tuple(sorted({parse_scope(part) for part in text.split()}))


def allows(scopes: tuple[Scope, ...], resource_type: str, letter: str) -> bool:
    """Whether any of `scopes` allows `letter` on `resource_type`."""
    return any(s.covers(resource_type, letter) for s in scopes)


def grantable(requested: tuple[Scope, ...], granted: tuple[Scope, ...]) -> tuple[Scope, ...]:
    """What of `requested` the registration `granted` allows: each requested scope narrowed to
    the permissions granted for its type (RFC 6749 §3.3: the server may issue fewer scopes than
    asked for, and says which in the response). A requested `*` is narrowed type by type."""
    out: set[Scope] = set()
    for want in requested:
        if want.type == "*":
            for have in granted:
                perms = _in_order("".join(c for c in want.permissions if c in have.permissions))
                if perms:
                    out.add(Scope(have.type, perms))
            continue
        perms = _in_order("".join(c for c in want.permissions if allows(granted, want.type, c)))
        if perms:
            out.add(Scope(want.type, perms))
    return tuple(sorted(out))


def scope_text(scopes: tuple[Scope, ...]) -> str:
    """The OAuth 2 `scope` string of `scopes`."""
    return " ".join(str(s) for s in scopes)
