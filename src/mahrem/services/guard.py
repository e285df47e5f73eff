"""Role checks, in one place: who holds which officer role at a time (M13–M16; SPEC.md rule
10, the data protection officer; the KTS letter, General Directorate officers).

Every capability asks here, so "is this person a dpo" is spelled once. `require_role` raises
`Forbidden` with the capability's stable code; `audit.guard_dpo` also audits the refused
attempt (committed before the refusal is raised) so the officers see who tried.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from mahrem.domain.errors import Forbidden
from mahrem.services.ports import Store

__all__ = ["Forbidden", "holds_role", "is_dpo", "require_dpo", "require_role", "roles_of"]

DPO, GM_OFFICER, PROVINCE_OFFICER = "dpo", "gm_officer", "province_officer"


def roles_of(store: Store, person: str, at: datetime) -> set[str]:
    """The officer roles the person holds at `at`."""
    return {r["role"] for r in store.open_rows("officer_role", at, person=person)}


def holds_role(store: Store, person: str, roles: Iterable[str] | str, at: datetime) -> bool:
    """True when the person holds one of `roles` at `at`."""
    wanted = {roles} if isinstance(roles, str) else set(roles)
    return not roles_of(store, person, at).isdisjoint(wanted)


def is_dpo(store: Store, person: str, at: datetime) -> bool:
    """Rule 10 — the person is a data protection officer at `at`."""
    return holds_role(store, person, DPO, at)


def require_role(
    store: Store, person: str, roles: Iterable[str] | str, at: datetime, code: str, message: str
) -> None:
    """Raise Forbidden(`code`) unless the person holds one of `roles` at `at`."""
    if not holds_role(store, person, roles, at):
        raise Forbidden(code, message)


def require_dpo(store: Store, person: str, at: datetime, what: str) -> None:
    """Rule 10 — only a data protection officer manages `what` (transfers, breaches, ...)."""
    require_role(
        store,
        person,
        DPO,
        at,
        f"{what}.forbidden",
        f"only a data protection officer manages {what}s",
    )
