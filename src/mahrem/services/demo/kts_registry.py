"""The demo world's KTS registry: a firm, product, version and certificates for every
installation already in the demo world, the catalogue, and one well-known key each."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from stdnum.tr import vkn

from mahrem.domain import kts as lifecycle
from mahrem.domain.clock import local_date
from mahrem.services import audit
from mahrem.services.kts import store_key
from mahrem.services.ports import Mahrem, Store

DEMO_CATALOGUE = (
    ("ENABIZ", "e-Nabız", "Kişisel sağlık kaydı sistemi / personal health record"),
    ("MEDULA", "MEDULA", "SGK provizyon ve fatura / social security provision and billing"),
    ("ERECETE", "e-Reçete", "Elektronik reçete / electronic prescription"),
    ("TELETIP", "Teletıp", "Uzaktan radyoloji raporlama / teleradiology"),
)


def demo_key(installation: str) -> str:
    """The demo's well-known key of an installation (still stored only as an HMAC)."""
    return f"mhr_demo_{installation}_0123456789abcdef"


def load_demo_registry(m: Mahrem, at: datetime | None = None) -> dict[str, str]:
    """Register a firm, product, version and certificates for every installation of the demo
    world not yet in the registry, the catalogue, and one demo key per installation; returns
    {installation: api_key} for the README. Running it again adds nothing."""
    when = m.at(at)
    with m.uow.write() as store:
        gm = next((r["person"] for r in store.rows("officer_role", role="gm_officer")), None)
        for system, name, description in DEMO_CATALOGUE:
            if not store.exists("kts_catalogue", system):
                store.add(
                    "kts_catalogue", id=system, name=name, description=description, added_at=when
                )
        keys: dict[str, str] = {}
        for n, row in enumerate(sorted(store.rows("installation"), key=lambda r: r["id"]), 1):
            _demo_installation(store, row, n, gm, when)
            keys[row["id"]] = demo_key(row["id"])
            store_key(m.keys, store, row["id"], keys[row["id"]], gm, when)
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=gm,
            action="kts.demo_registry_loaded",
            outcome="accepted",
            basis="KTS/3",
            detail={"installations": sorted(keys)},
        )
    return keys


def _demo_installation(
    store: Store, row: dict[str, Any], n: int, gm: str | None, at: datetime
) -> None:
    if store.exists("kts_installation", row["id"]):
        return
    firm, product, version = f"FIRM-{row['id']}", f"PROD-{row['id']}", f"VER-{row['id']}"
    base = f"{100000000 + n * 7919:09d}"
    store.add(
        "kts_firm",
        id=firm,
        legal_name=row["vendor"],
        tax_number=base + _vkn_check_digit(base),
        representative=f"{row['vendor']} yetkilisi",
        status="active",
        registered_at=at,
        registered_by=gm,
    )
    sbys = row["product"] if row["product"] in lifecycle.SBYS_TYPES else "other"
    store.add(
        "kts_product", id=product, firm=firm, name=row["product"], sbys_type=sbys, registered_at=at
    )
    store.add(
        "kts_product_version",
        id=version,
        product=product,
        version=row["version"],
        release_notes="Demo sürümü / demo release",
        released_at=at,
    )
    until = local_date(at) + timedelta(days=365)
    for i, (kind, issuer) in enumerate((("ISO/IEC 27001", "TSE"), ("ISO/IEC 15504", "TSE"))):
        store.add(
            "kts_certificate",
            id=f"CERT-{row['id']}-{i + 1}",
            firm=firm,
            product=None,
            type=kind,
            issuer=issuer,
            valid_until=until,
            mandatory=True,
            added_at=at,
        )
    store.add("kts_installation", installation=row["id"], product_version=version, registered_at=at)
    for system in ("ENABIZ", "MEDULA"):
        store.add("kts_integration", installation=row["id"], system=system, declared_at=at)


def _vkn_check_digit(base: str) -> str:
    """The VKN check digit of nine digits (python-stdnum)."""
    return str(vkn.calc_check_digit(base))
