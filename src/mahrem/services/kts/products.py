"""What the KTS registry knows of producers (the KTS letter, point 3): the firms General
Directorate officers register (legal name, VKN, authorised representative), their products with
the SBYS type, the products' versions with their release notes, and the certificates of a firm
or of one product. A mandatory certificate that lapses makes the firm's installations passive
(domain/kts.py); a renewal is a new certificate. Each is a checked, audited act (kts/acts.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain import kts as lifecycle
from mahrem.domain.errors import InputError
from mahrem.services.kts.acts import audited_act, existing_row
from mahrem.services.kts.reports import row_of
from mahrem.services.lookup import require, require_new
from mahrem.services.ports import Store

if TYPE_CHECKING:  # services.app calls into this package: no import cycle at run time
    from mahrem.services.ports import Mahrem


def register_firm(
    m: Mahrem,
    firm: str,
    legal_name: str,
    tax_number: str,
    representative: str,
    by: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS — a GM officer registers an SBYS producer (legal name, VKN, authorised
    representative)."""
    vkn = lifecycle.validate_vkn(tax_number)

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_firm", firm, "firm")
        if store.rows("kts_firm", tax_number=vkn):
            raise InputError(
                "vkn.duplicate",
                "tax_number: a firm with this tax number is registered",
                field="tax_number",
            )
        store.add(
            "kts_firm",
            id=firm,
            legal_name=legal_name,
            tax_number=vkn,
            representative=representative,
            status="active",
            registered_at=when,
            registered_by=by,
        )
        return row_of(store, "kts_firm", firm)

    return audited_act(m, by, at, "firm_registered", act, firm=firm)


def register_product(
    m: Mahrem,
    product: str,
    firm: str,
    name: str,
    sbys_type: str,
    by: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS — a product of a registered firm, with its SBYS type (HBYS, AHBS, LBYS, PACS, ...)."""
    if sbys_type not in lifecycle.SBYS_TYPES:
        raise InputError(
            "field.invalid",
            f"sbys_type: one of {', '.join(lifecycle.SBYS_TYPES)}",
            field="sbys_type",
        )

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_product", product, "product")
        require(store, "kts_firm", firm, "firm")
        store.add(
            "kts_product", id=product, firm=firm, name=name, sbys_type=sbys_type, registered_at=when
        )
        return row_of(store, "kts_product", product)

    return audited_act(m, by, at, "product_registered", act, product=product, firm=firm)


def add_version(
    m: Mahrem,
    version_id: str,
    product: str,
    version: str,
    release_notes: str,
    by: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS — a version of a product, with its release notes."""

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_product_version", version_id, "id")
        require(store, "kts_product", product, "product")
        if store.rows("kts_product_version", product=product, version=version):
            raise InputError(
                "version.duplicate", f"version: {version!r} of {product!r} exists", field="version"
            )
        store.add(
            "kts_product_version",
            id=version_id,
            product=product,
            version=version,
            release_notes=release_notes,
            released_at=when,
        )
        return row_of(store, "kts_product_version", version_id)

    return audited_act(m, by, at, "version_added", act, product=product, version=version)


def add_certificate(
    m: Mahrem,
    certificate: str,
    firm: str,
    type: str,
    issuer: str,
    valid_until: date,
    by: str,
    product: str | None = None,
    mandatory: bool = True,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS/3 — a certificate of a firm (or of one product); a mandatory one that lapses makes
    the firm's installations passive (domain/kts.py). A renewal is a new certificate."""
    if not date(2000, 1, 1) <= valid_until <= date(2199, 12, 31):
        raise InputError(
            "field.invalid", "valid_until: a day between 2000 and 2199", field="valid_until"
        )

    def act(store: Store, when: datetime) -> dict[str, Any]:
        require_new(store, "kts_certificate", certificate, "id")
        require(store, "kts_firm", firm, "firm")
        if (
            product is not None
            and existing_row(store, "kts_product", product, "product")["firm"] != firm
        ):
            raise InputError(
                "product.other_firm",
                f"product: {product!r} is not a product of {firm!r}",
                field="product",
            )
        store.add(
            "kts_certificate",
            id=certificate,
            firm=firm,
            product=product,
            type=type,
            issuer=issuer,
            valid_until=valid_until,
            mandatory=mandatory,
            added_at=when,
        )
        return row_of(store, "kts_certificate", certificate)

    return audited_act(
        m,
        by,
        at,
        "certificate_added",
        act,
        certificate=certificate,
        firm=firm,
        valid_until=valid_until.isoformat(),
    )
