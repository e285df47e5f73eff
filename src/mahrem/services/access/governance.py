"""M6/4 — the General Directorate changes the policy: a new version from a time, audited.
Decisions record the version that made them, so a past decision replays under its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.services import guard, policies
from mahrem.services.audit import append
from mahrem.services.ports import Mahrem


def change_policy(m: Mahrem, changes: dict[str, Any], by: str, at: datetime | None = None) -> int:
    """GM changes the policy (M6/4): a new version from `at`, audited; its number."""
    when = m.at(at)
    with m.uow.write() as store:
        guard.require_role(
            store,
            by,
            guard.GM_OFFICER,
            when,
            "policy.forbidden",
            "only a General Directorate officer changes the policy",
        )
        new = policies.change_policy(store, changes, by, when)
        append(
            store,
            at=when,
            kind="admin",
            actor=by,
            action="policy_changed",
            outcome="accepted",
            policy_version=new.version,
            detail={"changes": changes},
        )
    return new.version
