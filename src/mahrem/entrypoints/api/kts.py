"""HTTP routes: the KTS registry and gate (the letter, points 1-3).

Firms, products, certificates, installations, catalogue, incidents, compliance.

Thin: each route builds its input and calls the service layer (services/kts/); the bodies are
in kts_models.py. The acting
person comes from `deps.Actor`; the service checks that a General Directorate officer acts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter

from mahrem.entrypoints.api.deps import Actor, Limit, Offset, Svc
from mahrem.entrypoints.api.kts_models import (
    CatalogueIn,
    CatalogueOut,
    CertificateIn,
    CertificateOut,
    ChangeOut,
    FacilityReport,
    FirmIn,
    FirmOut,
    IncidentOut,
    InstallationIn,
    InstallationOut,
    IntegrationIn,
    IntegrationOut,
    KeyOut,
    KeyView,
    ProductIn,
    ProductOut,
    RevokedOut,
    StatusIn,
    StatusOut,
    VersionIn,
    VersionOut,
)
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import kts

router = APIRouter(prefix="/kts", tags=["kts"])


# -- registry ---------------------------------------------------------------------------------
@router.post("/firms", operation_id="kts_firm_register", response_model=FirmOut, responses=PROBLEMS)
def register_firm(body: FirmIn, service: Svc, actor: Actor) -> Any:
    """KTS — a General Directorate officer registers an SBYS producer."""
    return kts.register_firm(
        service, body.id, body.legal_name, body.tax_number, body.representative, by=actor
    )


@router.get(
    "/firms", operation_id="kts_firm_list", response_model=list[FirmOut], responses=PROBLEMS
)
def list_firms(service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0) -> Any:
    return kts.listing(service, "kts_firm", limit, offset)


@router.post(
    "/products", operation_id="kts_product_register", response_model=ProductOut, responses=PROBLEMS
)
def register_product(body: ProductIn, service: Svc, actor: Actor) -> Any:
    """KTS — a product of a registered firm, with its SBYS type."""
    return kts.register_product(service, body.id, body.firm, body.name, body.sbys_type, by=actor)


@router.get(
    "/products",
    operation_id="kts_product_list",
    response_model=list[ProductOut],
    responses=PROBLEMS,
)
def list_products(
    service: Svc, actor: Actor, firm: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    return kts.listing(service, "kts_product", limit, offset, firm=firm)


@router.post(
    "/products/{product}/versions",
    operation_id="kts_version_add",
    response_model=VersionOut,
    responses=PROBLEMS,
)
def add_version(product: str, body: VersionIn, service: Svc, actor: Actor) -> Any:
    """KTS — a version of a product, with its release notes."""
    return kts.add_version(service, body.id, product, body.version, body.release_notes, by=actor)


@router.get(
    "/products/{product}/versions",
    operation_id="kts_version_list",
    response_model=list[VersionOut],
    responses=PROBLEMS,
)
def list_versions(
    product: str, service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0
) -> Any:
    return kts.listing(service, "kts_product_version", limit, offset, product=product)


@router.post(
    "/certificates",
    operation_id="kts_certificate_add",
    response_model=CertificateOut,
    responses=PROBLEMS,
)
def add_certificate(body: CertificateIn, service: Svc, actor: Actor) -> Any:
    """KTS/3 — a certificate; a mandatory one that lapses makes installations passive."""
    return kts.add_certificate(
        service,
        body.id,
        body.firm,
        body.type,
        body.issuer,
        body.valid_until,
        by=actor,
        product=body.product,
        mandatory=body.mandatory,
    )


@router.get(
    "/certificates",
    operation_id="kts_certificate_list",
    response_model=list[CertificateOut],
    responses=PROBLEMS,
)
def list_certificates(
    service: Svc, actor: Actor, firm: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    return kts.listing(service, "kts_certificate", limit, offset, firm=firm)


@router.post(
    "/installations",
    operation_id="kts_installation_register",
    response_model=InstallationOut,
    responses=PROBLEMS,
)
def register_installation(body: InstallationIn, service: Svc, actor: Actor) -> Any:
    """KTS/3 — a product version at a facility, with its responsible administrator."""
    return kts.register_installation(
        service, body.id, body.product_version, body.facility, body.administrator, by=actor
    )


@router.get(
    "/installations",
    operation_id="kts_installation_list",
    response_model=list[InstallationOut],
    responses=PROBLEMS,
)
def list_installations(
    service: Svc, actor: Actor, facility: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    return kts.installations(service, facility, limit=limit, offset=offset)


@router.get(
    "/installations/{installation}",
    operation_id="kts_installation_get",
    response_model=InstallationOut,
    responses=PROBLEMS,
)
def get_installation(installation: str, service: Svc, actor: Actor) -> Any:
    return kts.get_installation(service, installation)


@router.post(
    "/catalogue", operation_id="kts_catalogue_add", response_model=CatalogueOut, responses=PROBLEMS
)
def add_catalogue_entry(body: CatalogueIn, service: Svc, actor: Actor) -> Any:
    """KTS/1 — a system the General Directorate lets SBYS integrate with."""
    return kts.add_catalogue_entry(service, body.id, body.name, body.description, by=actor)


@router.get(
    "/catalogue",
    operation_id="kts_catalogue_list",
    response_model=list[CatalogueOut],
    responses=PROBLEMS,
)
def list_catalogue(service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0) -> Any:
    return kts.listing(service, "kts_catalogue", limit, offset)


@router.post(
    "/installations/{installation}/integrations",
    operation_id="kts_integration_declare",
    response_model=IntegrationOut,
    responses=PROBLEMS,
)
def declare_integration(installation: str, body: IntegrationIn, service: Svc, actor: Actor) -> Any:
    """KTS/1 — an integration outside the catalogue is refused (403, basis KTS/1)."""
    return kts.declare_integration(service, installation, body.system, by=actor)


@router.get(
    "/installations/{installation}/integrations",
    operation_id="kts_integration_list",
    response_model=list[IntegrationOut],
    responses=PROBLEMS,
)
def list_integrations(
    installation: str, service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0
) -> Any:
    kts.get_installation(service, installation)  # 404 for an unknown installation
    return kts.listing(service, "kts_integration", limit, offset, installation=installation)


# -- keys ---------------------------------------------------------------------------------
@router.post(
    "/installations/{installation}/keys",
    operation_id="kts_key_issue",
    response_model=KeyOut,
    responses=PROBLEMS,
)
def issue_key(installation: str, service: Svc, actor: Actor) -> Any:
    """A new API key for the installation, in this response only (only its HMAC is kept)."""
    return {"installation": installation, "key": kts.issue_api_key(service, installation, by=actor)}


@router.post(
    "/installations/{installation}/keys/rotate",
    operation_id="kts_key_rotate",
    response_model=KeyOut,
    responses=PROBLEMS,
)
def rotate_key(installation: str, service: Svc, actor: Actor) -> Any:
    """A new key, in this response only; every key in use ends now."""
    return {
        "installation": installation,
        "key": kts.rotate_api_key(service, installation, by=actor),
    }


@router.post(
    "/installations/{installation}/keys/revoke",
    operation_id="kts_key_revoke",
    response_model=RevokedOut,
    responses=PROBLEMS,
)
def revoke_keys(installation: str, service: Svc, actor: Actor) -> Any:
    """End every key of the installation now (their history is kept)."""
    return {
        "installation": installation,
        "revoked": kts.revoke_api_key(service, installation, by=actor),
    }


@router.get(
    "/installations/{installation}/keys",
    operation_id="kts_key_list",
    response_model=list[KeyView],
    responses=PROBLEMS,
)
def list_keys(
    installation: str, service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0
) -> Any:
    """The installation's keys, newest first: prefixes and history, never a key."""
    return kts.list_api_keys(service, installation, limit, offset)


# -- statuses, sweep, reports ---------------------------------------------------------------
@router.post(
    "/installations/{installation}/suspend",
    operation_id="kts_installation_suspend",
    response_model=StatusOut,
    responses=PROBLEMS,
)
def suspend(installation: str, body: StatusIn, service: Svc, actor: Actor) -> Any:
    """KTS/3 — a GM officer suspends the registration."""
    return kts.suspend(service, installation, by=actor, reason=body.reason)


@router.post(
    "/installations/{installation}/revoke",
    operation_id="kts_installation_revoke",
    response_model=StatusOut,
    responses=PROBLEMS,
)
def revoke(installation: str, body: StatusIn, service: Svc, actor: Actor) -> Any:
    """KTS/3 — a GM officer revokes the registration (final)."""
    return kts.revoke(service, installation, by=actor, reason=body.reason)


@router.post(
    "/installations/{installation}/reactivate",
    operation_id="kts_installation_reactivate",
    response_model=StatusOut,
    responses=PROBLEMS,
)
def reactivate(installation: str, body: StatusIn, service: Svc, actor: Actor) -> Any:
    """KTS/3 — a GM officer re-activates a suspended or passive registration."""
    return kts.reactivate(service, installation, by=actor, reason=body.reason)


@router.post("/sweep", operation_id="kts_sweep", response_model=list[ChangeOut], responses=PROBLEMS)
def sweep(service: Svc, actor: Actor, at: datetime | None = None, dry_run: bool = False) -> Any:
    """KTS/3 — apply the lifecycle (warnings, passive, deleted, renewed) at `at` (default now;
    a time ahead of now only with `dry_run`) and return what changed."""
    return kts.sweep(service, at, by=actor, dry_run=dry_run)


@router.get(
    "/compliance",
    operation_id="kts_compliance",
    response_model=list[FacilityReport],
    responses=PROBLEMS,
)
def compliance(
    service: Svc, actor: Actor, facility: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    """KTS/3 — per facility: software in use, registration status, responsible administrator,
    incidents (officers only)."""
    return kts.compliance(service, facility, limit=limit, offset=offset, viewer=actor)


@router.get(
    "/incidents", operation_id="kts_incidents", response_model=list[IncidentOut], responses=PROBLEMS
)
def incidents(
    service: Svc,
    actor: Actor,
    facility: str | None = None,
    installation: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """KTS/3, KTS/2 — refused requests through software, oldest first (officers only)."""
    return kts.incidents(service, facility, installation, limit, offset, viewer=actor)
