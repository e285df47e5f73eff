"""The store's tables (SQLAlchemy Core). Temporal facts carry `valid_from` and `valid_to`:
ending a fact sets `valid_to`; nothing is overwritten or deleted.

This module holds the tables the engine's facts are read from; the others live in `orm_*`
modules on the same `metadata` (orm_base.py), imported here so that `metadata`, Alembic and the
store are complete whoever imports `orm`.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text

from mahrem.adapters import orm_accounts, orm_applications, orm_fhir, orm_kts, orm_lifecycle
from mahrem.adapters.orm_audit import audit_checkpoint, audit_head, audit_log
from mahrem.adapters.orm_base import ID, UtcDateTime, metadata
from mahrem.adapters.orm_base import person_column as _person
from mahrem.adapters.orm_base import span_columns as _span
from mahrem.adapters.orm_central import pseudonym_key, vault_entry
from mahrem.adapters.orm_codes import (
    code_entry,
    code_grant,
    code_lockout,
    one_time_code,
    sms_outbox,
)

__all__ = [
    "ID",
    "UtcDateTime",
    "audit_checkpoint",
    "audit_head",
    "audit_log",
    "code_entry",
    "code_grant",
    "code_lockout",
    "metadata",
    "one_time_code",
    "orm_accounts",
    "orm_applications",
    "orm_fhir",
    "orm_kts",
    "orm_lifecycle",
    "pseudonym_key",
    "sms_outbox",
    "vault_entry",
]

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
    Column("died_at", UtcDateTime, nullable=False),  # when it was true
    Column("recorded_at", UtcDateTime, nullable=False),  # when Mahrem learnt it (issue 19)
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
