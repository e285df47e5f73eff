"""The store's tables (SQLAlchemy Core). Temporal facts carry `valid_from` and `valid_to`:
ending a fact sets `valid_to`; nothing is overwritten or deleted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import DateTime, TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend: stored in UTC, returned aware (UTC).

    SQLite has no timezone type; storing UTC and re-attaching it keeps comparisons exact.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused by the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
ID = String(64)


def _span() -> list[Column[Any]]:
    return [
        Column("valid_from", UtcDateTime, nullable=False),
        Column("valid_to", UtcDateTime, nullable=True),
    ]


def _person(name: str, **kw: Any) -> Column[Any]:
    return Column(name, ID, ForeignKey("person.id"), **kw)


meta = Table("meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text))

policy_version = Table(
    "policy_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("config", JSON, nullable=False),
    Column("set_by", ID, nullable=True),
    *_span(),
)

person = Table(
    "person",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tckn", String(11), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("phone", String(32)),
    Column("created_at", UtcDateTime, nullable=False),
)

death = Table(
    "death",
    metadata,
    _person("patient", primary_key=True),
    Column("died_at", UtcDateTime, nullable=False),
)

facility = Table(
    "facility",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("province", String(2), nullable=False),
    Column("kind", String(32), nullable=False),
)

staff_post = Table(
    "staff_post",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("person", nullable=False, index=True),
    Column("facility", ID, ForeignKey("facility.id"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("specialty", String(64)),
    *_span(),
)

unit = Table(
    "unit",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("duties", JSON, nullable=False),
)

officer_role = Table(
    "officer_role",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("person", nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("province", String(2)),
    Column("unit", ID, ForeignKey("unit.id")),
    *_span(),
)

installation = Table(
    "installation",
    metadata,
    Column("id", ID, primary_key=True),
    Column("vendor", Text, nullable=False),
    Column("product", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("facility", ID, ForeignKey("facility.id"), nullable=False),
    _person("administrator"),
)

installation_status = Table(
    "installation_status",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, ForeignKey("installation.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    *_span(),
)

record = Table(
    "record",
    metadata,
    Column("id", ID, primary_key=True),
    _person("patient", nullable=False, index=True),
    Column("facility", ID, ForeignKey("facility.id"), nullable=False),
    _person("author"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("category", String(32), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("resource", JSON, nullable=False),
)

episode = Table(
    "episode",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(16), nullable=False),  # check_in, admission, appointment
    _person("patient", nullable=False),
    Column("facility", ID, ForeignKey("facility.id"), nullable=False),
    _person("physician"),
    Column("day", Date),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Index("ix_episode_patient_kind", "patient", "kind"),
)

family_doctor = Table(
    "family_doctor",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("patient", nullable=False, index=True),
    _person("physician", nullable=False),
    *_span(),
)

# Patient preferences under M6/2, M6/5 and M8/1, one row per interval in force:
# enabiz_account, record_hidden (record), history_locked, parental_restriction,
# parental_grant (person = the parent), transfer_consent (detail = recipient kind).
preference = Table(
    "preference",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("patient", nullable=False),
    Column("kind", String(32), nullable=False),
    Column("record", ID, ForeignKey("record.id")),
    _person("person"),
    Column("detail", String(32)),
    *_span(),
    Index("ix_preference_patient_kind", "patient", "kind"),
)

parent_link = Table(
    "parent_link",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("parent", nullable=False),
    _person("child", nullable=False, index=True),
    *_span(),
)

custody = Table(
    "custody",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("child", nullable=False, index=True),
    _person("custodian", nullable=False),
    *_span(),
)

relative_authorization = Table(
    "relative_authorization",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("patient", nullable=False),
    _person("relative", nullable=False),
    Column("categories", JSON, nullable=False),
    Column("until", Date),
    *_span(),
    Index("ix_relative_authorization_pair", "patient", "relative"),
)

power_of_attorney = Table(
    "power_of_attorney",
    metadata,
    Column("id", ID, primary_key=True),
    _person("lawyer", nullable=False),
    _person("client", nullable=False),
    Column("kind", String(16), nullable=False),
    Column("health_data_consent", Boolean, nullable=False),
    Column("valid_until", Date),
    *_span(),
    Index("ix_power_of_attorney_pair", "client", "lawyer"),
)

inheritance_heir = Table(
    "inheritance_heir",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("deceased", nullable=False, index=True),
    _person("heir", nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

concealment_order = Table(
    "concealment_order",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("patient", nullable=False, index=True),
    Column("court", Text, nullable=False),
    Column("need_to_know", JSON, nullable=False),
    *_span(),
    _person("ordered_by"),  # the province officer who executed it (None: loaded by an operator)
    _person("lifted_by"),
)

reidentification_authorization = Table(
    "reidentification_authorization",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("user", nullable=False, index=True),
    Column("unit", ID, ForeignKey("unit.id"), nullable=False, index=True),
    _person("granted_by", nullable=False),
    *_span(),
)

correction_cutoff = Table(
    "correction_cutoff",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cutoff_date", Date, nullable=False),
    _person("set_by", nullable=False),
    *_span(),
)

correction_request = Table(
    "correction_request",
    metadata,
    Column("id", ID, primary_key=True),
    _person("patient", nullable=False),
    Column("record", ID, ForeignKey("record.id"), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("forwarded_at", UtcDateTime),
    _person("forwarded_by"),
)

written_opinion = Table(
    "written_opinion",
    metadata,
    Column("id", ID, primary_key=True),
    Column("installation", ID, ForeignKey("installation.id"), nullable=False, index=True),
    Column("facility", ID, ForeignKey("facility.id"), nullable=False),
    Column("purpose", String(32), nullable=False),
    _person("issued_by", nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    _person("revoked_by"),
)

protocol = Table(
    "protocol",
    metadata,
    Column("id", ID, primary_key=True),
    Column("institution", Text, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
)

# M6/5 one-time codes: only an HMAC of the code is kept, under a key outside the database.
one_time_code = Table(
    "one_time_code",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("physician", nullable=False),
    _person("patient", nullable=False),
    Column("code_hmac", String(64), nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("superseded_at", UtcDateTime),
    Index("ix_one_time_code_pair", "physician", "patient"),
)

code_entry = Table(
    "code_entry",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("physician", nullable=False),
    _person("patient", nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),  # accepted, wrong, refused
    Index("ix_code_entry_pair", "physician", "patient"),
)

code_lockout = Table(
    "code_lockout",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("physician", nullable=False),
    _person("patient", nullable=False),
    *_span(),
    Index("ix_code_lockout_pair", "physician", "patient"),
)

code_grant = Table(
    "code_grant",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("physician", nullable=False),
    _person("patient", nullable=False),
    *_span(),
    Index("ix_code_grant_pair", "physician", "patient"),
)

# Development SMS gateway: a message is kept only until its code expires.
sms_outbox = Table(
    "sms_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("phone", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(16), nullable=False),  # decision, event
    Column("actor", ID, index=True),
    Column("capacity", String(16)),
    Column("role", String(32)),
    Column("facility", ID, index=True),
    Column("via", ID),
    Column("action", String(48), nullable=False),
    Column("patient", ID, index=True),
    Column("record", ID),
    Column("purpose", String(32)),
    Column("outcome", String(16), nullable=False),  # permit, deny, accepted, rejected
    Column("basis", String(16)),
    Column("reason", Text),
    Column("policy_version", Integer),
    Column("detail", JSON),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Signed Merkle checkpoints over ranges of the audit log (services/checkpoints.py).
audit_checkpoint = Table(
    "audit_checkpoint",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("first_seq", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("root", String(64), nullable=False),
    Column("chain_head", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("public_key", Text, nullable=False),
)

# M7 central feed (services/central.py). The versions of each receiving system's pseudonym key
# (the keys themselves stay in the key store, outside the database), and the vault that maps a
# pseudonym back to its patient, encrypted (AES-SIV) under a key of its own.
pseudonym_key = Table(
    "pseudonym_key",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("receiver", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime),
    UniqueConstraint("receiver", "version"),
)

vault_entry = Table(
    "vault_entry",
    metadata,
    Column("pseudonym", String(40), primary_key=True),
    Column("receiver", String(32), nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# M5/5 masked printouts (services/printouts.py): the verification code is kept only as an
# HMAC under a key outside the database; the document is rendered again from its records.
printout = Table(
    "printout",
    metadata,
    Column("code_hmac", String(64), primary_key=True),
    _person("patient", nullable=False, index=True),
    Column("facility", ID, ForeignKey("facility.id"), nullable=False),
    _person("created_by", nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("records", JSON, nullable=False),
    Column("masking", JSON, nullable=False),
)

# M7/1: the unit head asks the General Directorate to authorise a ministry user.
reidentification_request = Table(
    "reidentification_request",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("user", nullable=False, index=True),
    Column("unit", ID, ForeignKey("unit.id"), nullable=False),
    _person("requested_by", nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("granted_at", UtcDateTime),
)


# Feature tables live in their own modules on the same metadata; importing them here keeps
# `metadata` (and so Alembic and the store) complete whoever imports `orm`.
from mahrem.adapters import orm_accounts, orm_applications, orm_fhir, orm_kts, orm_lifecycle  # noqa: E402,F401
