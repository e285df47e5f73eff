"""The write gate (the KTS letter, point 3): only an installation registered in KTS at the
time writes health data. Anything else is refused with KTS/3 before a single entry is looked
at, and the attempt is recorded as an incident that the caller's transaction keeps."""

from __future__ import annotations

from datetime import datetime

from mahrem.domain.errors import Refused
from mahrem.services.ports import Store


def registered_facility(store: Store, installation: str, at: datetime) -> str:
    """The facility of an installation registered at `at`; anything else is refused (KTS/3)."""
    inst = store.installation(installation, at)
    if inst is None or inst.status_at(at) != "registered":
        raise Refused(
            "kts.installation_not_registered",
            "only software registered in KTS may write health data",
            basis="KTS/3",
        )
    return inst.facility


def gate_write(
    store: Store, installation: str, actor: str, at: datetime, what: str
) -> str | Refused:
    """The installation's facility, or the KTS/3 refusal after the attempt was recorded as an
    incident (the caller raises it once the transaction has kept the record)."""
    from mahrem.services import kts

    try:
        return registered_facility(store, installation, at)
    except Refused as refusal:
        kts.refused_write(store, installation, actor, at, what)
        return refusal
