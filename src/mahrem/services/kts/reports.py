"""Reading the KTS registry (the KTS letter, point 3): an installation as the registry knows
it, the compliance report per facility (software, status, responsible administrator,
incidents), incidents, and the registry's lists."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain import kts as lifecycle
from mahrem.domain.errors import Forbidden, InputError
from mahrem.services.lookup import require
from mahrem.services.ports import Store

if TYPE_CHECKING:  # services.app calls into services.kts: no import cycle at run time
    from mahrem.services.ports import Mahrem


def row_of(store: Store, kind: str, key: str) -> dict[str, Any]:
    """A row known to exist."""
    row = store.get(kind, key)
    assert row is not None
    return row


def status_row(store: Store, installation: str, at: datetime) -> dict[str, Any] | None:
    """The installation_status interval in force at `at`, if any."""
    rows = store.open_rows("installation_status", at, installation=installation)
    return rows[0] if rows else None


def certificates_of(store: Store, installation: str) -> tuple[lifecycle.Certificate, ...]:
    """The certificates of the firm (or of the product) behind an installation."""
    link = store.get("kts_installation", installation)
    if link is None:
        return ()
    product = row_of(
        store,
        "kts_product",
        row_of(store, "kts_product_version", link["product_version"])["product"],
    )
    return tuple(
        lifecycle.Certificate(c["id"], c["type"], c["valid_until"], bool(c["mandatory"]))
        for c in store.rows("kts_certificate", firm=product["firm"])
        if c["product"] in (None, product["id"])
    )


def describe_installation(store: Store, installation: str, at: datetime) -> dict[str, Any]:
    """An installation as the registry knows it: where, what, who answers for it, its status."""
    row = row_of(store, "installation", installation)
    status = status_row(store, installation, at)
    link = store.get("kts_installation", installation)
    version = row_of(store, "kts_product_version", link["product_version"]) if link else None
    product = row_of(store, "kts_product", version["product"]) if version else None
    admin = store.get("person", row["administrator"]) if row["administrator"] else None
    return {
        "installation": installation,
        "facility": row["facility"],
        "vendor": row["vendor"],
        "product": row["product"],
        "version": row["version"],
        "product_version": link["product_version"] if link else None,
        "firm": product["firm"] if product else None,
        "sbys_type": product["sbys_type"] if product else None,
        "status": status["status"] if status else "unregistered",
        "status_since": status["valid_from"] if status else None,
        "administrator": row["administrator"],
        "administrator_name": admin["name"] if admin else None,
        "integrations": sorted(
            r["system"] for r in store.rows("kts_integration", installation=installation)
        ),
        "certificates": [
            {
                "id": c.id,
                "type": c.type,
                "valid_until": c.valid_until.isoformat(),
                "mandatory": c.mandatory,
            }
            for c in certificates_of(store, installation)
        ],
    }


REPORT_ROLES = ("gm_officer", "province_officer", "dpo")


def _may_see_reports(store: Store, viewer: str | None, at: datetime) -> None:
    if viewer is not None and not any(
        r["role"] in REPORT_ROLES for r in store.open_rows("officer_role", at, person=viewer)
    ):
        raise Forbidden(
            "kts.report_forbidden",
            "only General Directorate, provincial directorate and data protection officers "
            "see KTS reports",
        )


def compliance(
    m: Mahrem,
    facility: str | None = None,
    at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
    *,
    viewer: str | None = None,
) -> list[dict[str, Any]]:
    """KTS/3 — per facility: the software in use, its registration status, the administrator
    responsible for it, and the incidents (those of unknown software under facility None).
    A `viewer` must be a GM, provincial or data protection officer."""
    when = m.at(at)
    with m.uow.read() as store:
        _may_see_reports(store, viewer, when)
        if facility is not None:
            require(store, "facility", facility, "facility")
        rows = sorted(
            store.rows("facility", id=facility) if facility else store.rows("facility"),
            key=lambda f: f["id"],
        )
        facilities: list[dict[str, Any] | None] = list(rows)
        if facility is None and store.incidents(without_facility=True, limit=1):
            facilities.append(None)  # incidents of unknown software: no facility to name
        return [_facility_report(store, f, when) for f in facilities[offset : offset + limit]]


def _facility_report(store: Any, f: dict[str, Any] | None, at: datetime) -> dict[str, Any]:
    if f is None:
        return {
            "facility": None,
            "name": None,
            "province": None,
            "software": [],
            "incidents": store.incidents(without_facility=True, limit=1000),
        }
    software = [
        describe_installation(store, r["id"], at)
        for r in sorted(store.rows("installation", facility=f["id"]), key=lambda r: r["id"])
    ]
    return {
        "facility": f["id"],
        "name": f["name"],
        "province": f["province"],
        "software": software,
        "incidents": store.incidents(facility=f["id"], limit=1000),
    }


def incidents(
    m: Mahrem,
    facility: str | None = None,
    installation: str | None = None,
    limit: int = 100,
    offset: int = 0,
    *,
    viewer: str | None = None,
) -> list[dict[str, Any]]:
    """KTS/3, KTS/2 — recorded incidents, oldest first (a `viewer` must be an officer who sees
    reports)."""
    with m.uow.read() as store:
        _may_see_reports(store, viewer, m.clock())
        return store.incidents(
            facility=facility, installation=installation, limit=limit, offset=offset
        )


def listing(
    m: Mahrem, kind: str, limit: int = 100, offset: int = 0, **match: Any
) -> list[dict[str, Any]]:
    """Rows of one registry table (firms, products, versions, certificates, catalogue), by id."""
    if kind not in LISTABLE:
        raise InputError("kts.unknown_kind", f"unknown registry list {kind!r}")
    with m.uow.read() as store:
        rows = store.rows(kind, **{k: v for k, v in match.items() if v is not None})
    key = LISTABLE[kind]
    return sorted(rows, key=lambda r: str(r[key]))[offset : offset + limit]


LISTABLE = {
    "kts_firm": "id",
    "kts_product": "id",
    "kts_product_version": "id",
    "kts_certificate": "id",
    "kts_catalogue": "id",
    "kts_integration": "id",
}


def installations(
    m: Mahrem,
    facility: str | None = None,
    at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Installations with their registry view, by id."""
    when = m.at(at)
    with m.uow.read() as store:
        rows = (
            store.rows("installation", facility=facility)
            if facility
            else store.rows("installation")
        )
        ids = sorted(r["id"] for r in rows)[offset : offset + limit]
        return [describe_installation(store, i, when) for i in ids]


def get_installation(m: Mahrem, installation_id: str, at: datetime | None = None) -> dict[str, Any]:
    """One installation as the registry knows it (404 for an unknown id)."""
    with m.uow.read() as store:
        require(store, "installation", installation_id, "installation")
        return describe_installation(store, installation_id, m.at(at))
