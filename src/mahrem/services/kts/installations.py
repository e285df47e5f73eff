"""Installations and their lifecycle at an officer's hand (the KTS letter, point 3): a product
version registered at a facility with the administrator responsible for it, and the officer's
suspension (reversible), revocation (final) and re-activation (refused while a mandatory
certificate has lapsed past its grace period). Each status change is written as the
software-status events write it (kts/acts.py), so the engine's rule 1 sees it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain import kts as lifecycle
from mahrem.domain.errors import InputError, Refused
from mahrem.services.kts.acts import (
    audited_act,
    existing_row,
    registry_state,
    set_status,
    status_of,
)
from mahrem.services.kts.reports import describe_installation, row_of
from mahrem.services.lookup import require
from mahrem.services.policies import policy_at
from mahrem.services.ports import Store

if TYPE_CHECKING:  # services.app calls into this package: no import cycle at run time
    from mahrem.services.ports import Mahrem


def register_installation(
    m: Mahrem,
    installation: str,
    product_version: str,
    facility: str,
    administrator: str,
    by: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS/3 — a product version installed at a facility, with the facility administrator
    responsible for it; from now on its status is `registered`. An installation already known
    (from a world) is linked to the version; its row stays the one requests name in `via`."""

    def act(store: Store, when: datetime) -> dict[str, Any]:
        version = existing_row(store, "kts_product_version", product_version, "product_version")
        require(store, "facility", facility, "facility")
        require(store, "person", administrator, "administrator")
        if store.exists("kts_installation", installation):
            raise InputError(
                "installation.duplicate",
                f"installation: {installation!r} is registered",
                field="installation",
            )
        existing = store.get("installation", installation)
        status = status_of(store, installation, when)
        if status in lifecycle.FINAL_STATUSES:
            raise Refused(
                "kts.status_final", f"installation {installation!r} is {status}", basis="KTS/3"
            )
        product = row_of(store, "kts_product", version["product"])
        firm = row_of(store, "kts_firm", product["firm"])
        if existing is None:
            store.add(
                "installation",
                id=installation,
                vendor=firm["legal_name"],
                product=product["name"],
                version=version["version"],
                facility=facility,
                administrator=administrator,
            )
        elif existing["facility"] != facility:
            raise InputError(
                "installation.other_facility",
                f"facility: {installation!r} is at {existing['facility']!r}",
                field="facility",
            )
        else:
            store.set(
                "installation",
                installation,
                administrator=administrator,
                vendor=firm["legal_name"],
                product=product["name"],
                version=version["version"],
            )
        store.add(
            "kts_installation",
            installation=installation,
            product_version=product_version,
            registered_at=when,
        )
        if status != "registered":
            set_status(store, installation, "registered", when)
        return describe_installation(store, installation, when)

    return audited_act(
        m,
        by,
        at,
        "installation_registered",
        act,
        installation=installation,
        facility=facility,
        product_version=product_version,
    )


def _officer_status(
    m: Mahrem,
    installation: str,
    by: str,
    at: datetime | None,
    to: str,
    action: str,
    reason: str | None,
    allowed: Callable[[Store, str, datetime], str | None],
) -> dict[str, Any]:
    def act(store: Store, when: datetime) -> dict[str, Any]:
        require(store, "installation", installation, "installation")
        before = status_of(store, installation, when)
        blocker = allowed(store, before, when)
        if blocker is not None:
            raise Refused(
                blocker,
                f"installation {installation!r} is {before}: {action} refused",
                basis="KTS/3",
            )
        set_status(store, installation, to, when)
        return {
            "installation": installation,
            "from": before,
            "to": to,
            "at": when,
            "reason": reason,
        }

    return audited_act(m, by, at, action, act, installation=installation, to=to, reason=reason)


def suspend(
    m: Mahrem, installation: str, by: str, reason: str | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/3 — a GM officer suspends an installation's registration (reversible)."""
    return _officer_status(
        m,
        installation,
        by,
        at,
        "suspended",
        "installation_suspended",
        reason,
        lambda _s, before, _w: None if before in ("registered", "passive") else "kts.not_active",
    )


def revoke(
    m: Mahrem, installation: str, by: str, reason: str | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/3 — a GM officer revokes an installation's registration (final: a new registration
    under a new id is needed)."""
    return _officer_status(
        m,
        installation,
        by,
        at,
        "revoked",
        "installation_revoked",
        reason,
        lambda _s, before, _w: "kts.status_final" if before in lifecycle.FINAL_STATUSES else None,
    )


def reactivate(
    m: Mahrem, installation: str, by: str, reason: str | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/3 — a GM officer re-activates a suspended or passive installation, unless a
    mandatory certificate has lapsed past its grace period."""

    def allowed(store: Store, before: str, when: datetime) -> str | None:
        state = registry_state(store, installation, when)
        return (
            lifecycle.reactivation_blocker(state, when, policy_at(store, when))
            if state
            else "kts.status_final"
        )

    return _officer_status(
        m, installation, by, at, "registered", "installation_reactivated", reason, allowed
    )


def reregistration_blocker(store: Store, installation: str, at: datetime) -> str | None:
    """KTS/3 — the registry's rule for an officer's `software_registered` event too (issue 21):
    a revoked or deleted installation is registered again only as a new registration, and a
    suspended or passive one not while a mandatory certificate has lapsed past its grace
    period (the rule `reactivate` applies). None when nothing bars it (a first registration,
    or one already registered)."""
    state = registry_state(store, installation, at)
    if state is None or state.status in ("unregistered", "registered"):
        return None
    return lifecycle.reactivation_blocker(state, at, policy_at(store, at))
