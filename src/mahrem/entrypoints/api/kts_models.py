"""The KTS routes' request and response bodies (entrypoints/api/kts.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from mahrem.domain.kts import SBYS_TYPES


# -- bodies -----------------------------------------------------------------------------------
class FirmIn(BaseModel):
    id: str = Field(..., min_length=1, max_length=64)
    legal_name: str = Field(..., min_length=1)
    tax_number: str = Field(
        ..., description="Vergi kimlik numarası (10 digits, check digit verified)"
    )
    representative: str = Field(..., min_length=1, description="The authorised representative")


class FirmOut(BaseModel):
    id: str
    legal_name: str
    tax_number: str
    representative: str
    status: str
    registered_at: datetime
    registered_by: str | None


class ProductIn(BaseModel):
    id: str = Field(..., min_length=1, max_length=64)
    firm: str
    name: str = Field(..., min_length=1)
    sbys_type: str = Field(..., description=", ".join(SBYS_TYPES))


class ProductOut(BaseModel):
    id: str
    firm: str
    name: str
    sbys_type: str
    registered_at: datetime


class VersionIn(BaseModel):
    id: str = Field(..., min_length=1, max_length=64)
    version: str = Field(..., min_length=1, max_length=64)
    release_notes: str


class VersionOut(BaseModel):
    id: str
    product: str
    version: str
    release_notes: str
    released_at: datetime


class CertificateIn(BaseModel):
    id: str = Field(..., min_length=1, max_length=64)
    firm: str
    product: str | None = Field(
        None, description="Set when the certificate covers one product only"
    )
    type: str = Field(..., min_length=1, max_length=64, description="e.g. ISO/IEC 27001")
    issuer: str = Field(..., min_length=1)
    valid_until: date = Field(..., description="Last valid day (Europe/Istanbul), inclusive")
    mandatory: bool = True


class CertificateOut(BaseModel):
    id: str
    firm: str
    product: str | None
    type: str
    issuer: str
    valid_until: date
    mandatory: bool
    added_at: datetime


class InstallationIn(BaseModel):
    id: str = Field(..., min_length=1, max_length=64)
    product_version: str
    facility: str
    administrator: str = Field(
        ..., description="The facility administrator responsible for it (person id)"
    )


class CertificateView(BaseModel):
    id: str
    type: str
    valid_until: str
    mandatory: bool


class InstallationOut(BaseModel):
    installation: str
    facility: str
    vendor: str
    product: str
    version: str
    product_version: str | None
    firm: str | None
    sbys_type: str | None
    status: str
    status_since: datetime | None
    administrator: str | None
    administrator_name: str | None
    integrations: list[str]
    certificates: list[CertificateView]


class CatalogueIn(BaseModel):
    id: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1)
    description: str = ""


class CatalogueOut(BaseModel):
    id: str
    name: str
    description: str
    added_at: datetime


class IntegrationIn(BaseModel):
    system: str = Field(..., description="An id from the General Directorate's catalogue (KTS/1)")


class IntegrationOut(BaseModel):
    installation: str
    system: str
    declared_at: datetime


class KeyOut(BaseModel):
    installation: str
    key: str = Field(..., description="Shown once: only its HMAC is kept")


class KeyView(BaseModel):
    prefix: str
    issued_at: datetime
    issued_by: str | None
    revoked_at: datetime | None
    revoked_by: str | None
    revoked_reason: str | None


class RevokedOut(BaseModel):
    installation: str
    revoked: int


class StatusIn(BaseModel):
    reason: str | None = None


class StatusOut(BaseModel):
    installation: str
    from_: str = Field(..., alias="from")
    to: str
    at: datetime
    reason: str | None


class ChangeOut(BaseModel):
    installation: str
    kind: str
    from_: str | None = Field(None, alias="from")
    to: str | None
    certificate: str | None
    valid_until: str | None
    due: datetime
    at: datetime
    basis: str
    reason: str
    reason_tr: str
    reason_en: str


class IncidentOut(BaseModel):
    id: int
    installation: str
    facility: str | None
    administrator: str | None
    kind: str
    basis: str
    detail: dict[str, Any]
    at: datetime


class FacilityReport(BaseModel):
    facility: str | None
    name: str | None
    province: str | None
    software: list[InstallationOut]
    incidents: list[IncidentOut]
