"""The integration catalogue (the KTS letter, point 1): the systems the General Directorate
lets SBYS integrate with, and an installation's declared integrations — "belirlenen sistemler
haricinde entegrasyon istenilmeyecektir", so an integration outside the catalogue is refused.
Each is a checked, audited act (kts/acts.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.errors import Refused
from mahrem.services.kts.acts import audited_act
from mahrem.services.kts.reports import row_of
from mahrem.services.lookup import require, require_new
from mahrem.services.ports import Store

if TYPE_CHECKING:  # services.app calls into this package: no import cycle at run time
    from mahrem.services.ports import Mahrem


def add_catalogue_entry(
    m: Mahrem, system: str, name: str, description: str, by: str, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/1 — a system the General Directorate lets SBYS integrate with."""

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_catalogue", system, "id")
        store.add("kts_catalogue", id=system, name=name, description=description, added_at=when)
        return row_of(store, "kts_catalogue", system)

    return audited_act(m, by, at, "catalogue_entry_added", act, system=system, basis="KTS/1")


def declare_integration(
    m: Mahrem, installation: str, system: str, by: str, at: datetime | None = None
) -> dict[str, Any]:
    """KTS/1 — "belirlenen sistemler haricinde entegrasyon istenilmeyecektir": an integration
    outside the GM catalogue is refused."""

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require(store, "installation", installation, "installation")
        if not store.exists("kts_catalogue", system):
            raise Refused(
                "kts.integration_not_in_catalogue",
                f"system {system!r} is not in the General Directorate's integration catalogue",
                basis="KTS/1",
            )
        if not store.rows("kts_integration", installation=installation, system=system):
            store.add("kts_integration", installation=installation, system=system, declared_at=when)
        return {
            "installation": installation,
            "system": system,
            "declared_at": store.rows("kts_integration", installation=installation, system=system)[
                0
            ]["declared_at"],
        }

    return audited_act(
        m,
        by,
        at,
        "integration_declared",
        act,
        installation=installation,
        system=system,
        basis="KTS/1",
    )
