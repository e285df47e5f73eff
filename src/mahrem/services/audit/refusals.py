"""Refusals the officers must see: an attempt on what only a data protection officer manages
is appended to the audit trail and committed before the refusal is raised (M18, rule 10)."""

from __future__ import annotations

from datetime import datetime

from mahrem.domain.errors import Forbidden
from mahrem.services import guard
from mahrem.services.audit.trail import append
from mahrem.services.ports import Mahrem


def guard_dpo(m: Mahrem, person: str, at: datetime, what: str, action: str) -> None:
    """Refuse anyone but a data protection officer; the refused attempt is audited (and
    committed) before the refusal is raised, so the officer sees who tried."""
    with m.uow.read() as store:
        if guard.is_dpo(store, person, at):
            return
    with m.uow.write() as store:
        append(
            store,
            at=at,
            kind="admin",
            actor=person,
            action=action,
            outcome="rejected",
            reason=f"{what}.forbidden",
        )
    raise Forbidden(f"{what}.forbidden", f"only a data protection officer manages {what}s")
