"""The KTS registry (the KTS letter, points 1-3): firms, products, versions, certificates,
installation credentials, the integration catalogue and incidents.

Tables share the one `metadata` of `mahrem.adapters.orm_base`; `orm` imports this module.
The `installation` table of orm.py stays what requests name in `via`; `kts_installation`
links it to the product version it runs. Statuses stay in `installation_status`, which the
engine reads.

The range queries the generic store API lacks (a sliding window, pages in time order) are
at the end, over a Connection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    false,
    func,
    select,
)

from mahrem.adapters.orm_base import ID, UtcDateTime, metadata
from mahrem.adapters.orm_base import person_column as _person

kts_firm = Table(
    "kts_firm",
    metadata,
    Column("id", ID, primary_key=True),
    Column("legal_name", Text, nullable=False),
    Column("tax_number", String(10), nullable=False, unique=True),  # VKN, stdnum.tr.vkn
    Column("representative", Text, nullable=False),  # the authorised representative
    Column("status", String(16), nullable=False),  # active, inactive
    Column("registered_at", UtcDateTime, nullable=False),
    _person("registered_by"),
)

kts_product = Table(
    "kts_product",
    metadata,
    Column("id", ID, primary_key=True),
    Column("firm", ID, ForeignKey("kts_firm.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("sbys_type", String(32), nullable=False),  # HBYS, AHBS, LBYS, PACS, digital_archive, ...
    Column("registered_at", UtcDateTime, nullable=False),
)

kts_product_version = Table(
    "kts_product_version",
    metadata,
    Column("id", ID, primary_key=True),
    Column("product", ID, ForeignKey("kts_product.id"), nullable=False),
    Column("version", String(64), nullable=False),
    Column("release_notes", Text, nullable=False),
    Column("released_at", UtcDateTime, nullable=False),
    UniqueConstraint("product", "version"),
)

# A certificate of a firm, or of one of its products when `product` is set.
kts_certificate = Table(
    "kts_certificate",
    metadata,
    Column("id", ID, primary_key=True),
    Column("firm", ID, ForeignKey("kts_firm.id"), nullable=False, index=True),
    Column("product", ID, ForeignKey("kts_product.id")),
    Column("type", String(64), nullable=False),  # e.g. ISO/IEC 27001
    Column("issuer", Text, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("mandatory", Boolean, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
)

kts_installation = Table(
    "kts_installation",
    metadata,
    Column("installation", ID, ForeignKey("installation.id"), primary_key=True),
    Column("product_version", ID, ForeignKey("kts_product_version.id"), nullable=False, index=True),
    Column("registered_at", UtcDateTime, nullable=False),
)

# KTS/1: the only systems a product may be asked to integrate with.
kts_catalogue = Table(
    "kts_catalogue",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
)

kts_integration = Table(
    "kts_integration",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, ForeignKey("installation.id"), nullable=False),
    Column("system", ID, ForeignKey("kts_catalogue.id"), nullable=False),
    Column("declared_at", UtcDateTime, nullable=False),
    UniqueConstraint("installation", "system"),
)

# An installation's API keys: only HMAC-SHA256 under a key outside the database is kept, so a
# copy of the database gives no usable key. A rotated or revoked key keeps its row.
kts_api_key = Table(
    "kts_api_key",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, ForeignKey("installation.id"), nullable=False, index=True),
    Column("key_hmac", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),  # shown in lists to tell keys apart
    Column("issued_at", UtcDateTime, nullable=False),
    _person("issued_by"),
    Column("revoked_at", UtcDateTime),
    _person("revoked_by"),
    Column("revoked_reason", String(16)),  # rotated, revoked
)

# An installation's SMART Backend Services client (issue 24): the public keys it signs with (a
# JWKS, or the URL it publishes one at) and the SMART scopes GM granted it. No secret is kept.
kts_client = Table(
    "kts_client",
    metadata,
    Column("installation", ID, ForeignKey("installation.id"), primary_key=True),
    Column("jwks", JSON),
    Column("jwks_url", Text),
    Column("scopes", JSON, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    _person("registered_by"),
)

# Access tokens issued at POST /auth/token: only the HMAC of each is kept, as for API keys.
kts_access_token = Table(
    "kts_access_token",
    metadata,
    Column("token_hmac", String(64), primary_key=True),
    Column("installation", ID, ForeignKey("installation.id"), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("kid", String(128), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)

# Every signed assertion accepted (client assertions at the token endpoint, acting-person
# assertions with requests), until it expires: its installation, key id and jti, unique, are
# the replay check.
kts_assertion = Table(
    "kts_assertion",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, nullable=False),
    Column("kid", String(128), nullable=False),
    Column("jti", String(128), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    UniqueConstraint("installation", "kid", "jti"),
)

# Reminders already sent for a certificate about to expire (the sweep sends each once).
kts_certificate_warning = Table(
    "kts_certificate_warning",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, ForeignKey("installation.id"), nullable=False),
    Column("certificate", ID, ForeignKey("kts_certificate.id"), nullable=False),
    Column("warned_at", UtcDateTime, nullable=False),
    UniqueConstraint("installation", "certificate"),
)

# KTS/3, KTS/2: a refused request through software, naming the facility and its administrator.
# `installation` is not a foreign key: an unknown installation is an incident too.
kts_incident = Table(
    "kts_incident",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, nullable=False, index=True),
    Column("facility", ID, ForeignKey("facility.id"), index=True),
    _person("administrator"),
    Column("kind", String(32), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

# KTS/2 copying detector: reads through software, and whether a care relationship existed.
kts_read = Table(
    "kts_read",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, nullable=False),
    Column("patient", ID, nullable=False),
    Column("care", Boolean, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    # The detector counts one installation's reads without care in a time window: this index
    # holds exactly those rows in time order, whatever the volume of care reads.
    Index("ix_kts_read_window", "installation", "care", "at"),
)


# -- range queries ----------------------------------------------------------------------
_DISTINCT_UNCARED = (
    select(kts_read.c.patient)
    .distinct()
    .where(
        kts_read.c.installation == bindparam("installation"),
        kts_read.c.care == false(),
        kts_read.c.at >= bindparam("since"),
        kts_read.c.at < bindparam("until"),
    )
    .limit(bindparam("enough"))
)
_UNCARED = select(func.count()).select_from(_DISTINCT_UNCARED.subquery())


def uncared_patients(
    conn: Connection, installation: str, since: datetime, until: datetime, enough: int = 1_000_000
) -> int:
    """Distinct patients the installation read without a care relationship in [since, until),
    counted up to `enough` (the detector only needs to know whether its threshold is reached)."""
    params = {"installation": installation, "since": since, "until": until, "enough": enough}
    return int(conn.execute(_UNCARED, params).scalar_one())


def incidents(
    conn: Connection,
    *,
    facility: str | None = None,
    installation: str | None = None,
    without_facility: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Incidents, oldest first, optionally of one facility or installation, or only those of
    unknown installations (no facility)."""
    stmt = select(kts_incident)
    if without_facility:
        stmt = stmt.where(kts_incident.c.facility.is_(None))
    if facility is not None:
        stmt = stmt.where(kts_incident.c.facility == facility)
    if installation is not None:
        stmt = stmt.where(kts_incident.c.installation == installation)
    stmt = stmt.order_by(kts_incident.c.at, kts_incident.c.id).limit(limit).offset(offset)
    return [dict(r) for r in conn.execute(stmt).mappings()]
