"""What a provincial officer works through: the correction requests (M13/1) and the written
opinions (KTS/2) of the provinces they serve. Read-only lists for the officers' pages; every act
on them goes through `services.corrections` and the officer events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.clock import local_date
from mahrem.services.corrections.status import correction_status

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


def _provinces(store: Any, viewer: str, at: datetime) -> set[str]:
    return {
        str(r["province"])
        for r in store.open_rows("officer_role", at, person=viewer)
        if r["role"] == "province_officer" and r["province"]
    }


def province_corrections(
    m: Mahrem,
    viewer: str,
    *,
    at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
    lang: str = "tr",
) -> list[dict[str, Any]]:
    """M13/1 — the correction requests of records created in the provinces `viewer` serves as a
    provincial officer, newest first, each as `correction_status` shows it."""
    when = m.at(at)
    with m.uow.read() as store:
        provinces = _provinces(store, viewer, when)
        rows = sorted(
            store.rows("correction_request"),
            key=lambda r: (r["requested_at"], r["id"]),
            reverse=True,
        )
        ids: list[str] = []
        for r in rows:
            meta = store.record_meta(r["record"])
            facility = store.get("facility", meta.facility) if meta else None
            if facility is not None and str(facility["province"]) in provinces:
                ids.append(r["id"])
    return [
        correction_status(m, viewer, i, at=when, lang=lang) for i in ids[offset : offset + limit]
    ]


def written_opinions(
    m: Mahrem, viewer: str, *, at: datetime | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """KTS/2 — the written opinions for facilities in the provinces `viewer` serves, newest
    first, with whether each is in force at `at`."""
    when = m.at(at)
    with m.uow.read() as store:
        provinces = _provinces(store, viewer, when)
        facilities = {f["id"]: f for f in store.rows("facility") if str(f["province"]) in provinces}
        rows = sorted(
            (r for r in store.rows("written_opinion") if r["facility"] in facilities),
            key=lambda r: (r["issued_at"], r["id"]),
            reverse=True,
        )
        return [
            {
                **r,
                "facility_name": facilities[r["facility"]]["name"],
                "in_force": r["revoked_at"] is None and r["valid_until"] >= local_date(when),
            }
            for r in rows[offset : offset + limit]
        ]
