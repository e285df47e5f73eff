"""Transfers (M15), data subject applications and information notices (KVKK 11, 13; M5/6-8),
breaches (M18/2).

Tables share the one `metadata` of `mahrem.adapters.orm_base`; `orm` imports this module.
No table here holds record content in the clear: a transfer keeps its decisions per record and
the package encrypted for its recipient.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from mahrem.adapters.orm_base import ID, UtcDateTime, metadata
from mahrem.adapters.orm_base import person_column as _person

# M15: one transfer run. `id` is chosen by the caller (or generated) so an interrupted run is
# resumed by running it again with the same id.
transfer = Table(
    "transfer",
    metadata,
    Column("id", ID, primary_key=True),
    _person("created_by", nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("recipient", JSON, nullable=False),  # kind, protocol, name, country, key (public)
    Column("selection", JSON, nullable=False),  # patients, records, categories
    Column("status", String(16), nullable=False),  # running, packaged
    Column("total", Integer, nullable=False),
    Column("packaged_at", UtcDateTime),
    Column("manifest", JSON),
    Column("package", LargeBinary),  # the encrypted FHIR Bundle (services/transfers.py)
    Column("key_wrap", JSON),  # the content key, wrapped for the recipient
)

# One decision per record of a transfer; (transfer, record) is unique, so a re-run never
# decides a record twice.
transfer_item = Table(
    "transfer_item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transfer", ID, ForeignKey("transfer.id"), nullable=False),
    Column("record", ID, nullable=False),
    _person("patient", nullable=False),
    Column("category", String(32), nullable=False),
    Column("effect", String(16), nullable=False),  # permit, deny
    Column("basis", String(16)),
    Column("reason", String(64)),
    Column("decided_at", UtcDateTime, nullable=False),
    UniqueConstraint("transfer", "record"),
)

# KVKK 11 and 13: a data subject's application; `due_date` is the last Istanbul calendar day
# of the answer period.
application = Table(
    "application",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("patient", nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("subject", Text, nullable=False),
    Column("record", ID),
    Column("received_at", UtcDateTime, nullable=False),
    Column("due_date", Date, nullable=False),
    Column(
        "status", String(16), nullable=False
    ),  # received, in_review, answered, granted, rejected
    Column("status_at", UtcDateTime, nullable=False),
    _person("answered_by"),
    Column("answered_at", UtcDateTime),
    Column("answer", Text),
    Column("reason", Text),
    Column("outcome", JSON),
    Index("ix_application_status_due", "status", "due_date"),
)

# Every status an application went through, for the applicant to see.
application_status = Table(
    "application_status",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("application", Integer, ForeignKey("application.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    _person("by", nullable=False),
    Column("note", Text),
)

# KVKK 11/1-f: a recipient of a transfer to be told that a record it received was corrected or
# disposed of (services/records/onward.py); the data protection officer sends it (issue 21).
recipient_notice = Table(
    "recipient_notice",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transfer", ID, ForeignKey("transfer.id"), nullable=False, index=True),
    Column("record", ID, nullable=False),
    Column("change", String(16), nullable=False),  # corrected, deleted, destroyed, anonymised
    Column("at", UtcDateTime, nullable=False),
)

# M5/8, KVKK 10: information notices (aydınlatma metni), one row per published version.
notice = Table(
    "notice",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("title_tr", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("body_tr", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    _person("published_by", nullable=False),
)

# M6/4: a GM officer's draft of a policy change (issue 21): the changes, why, from when, and the
# information notice that comes with it; activated once, into a policy version and a notice.
policy_draft = Table(
    "policy_draft",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("changes", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("effective_at", UtcDateTime, nullable=False),
    Column("notice", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # draft, active, withdrawn
    _person("drafted_by", nullable=False),
    Column("drafted_at", UtcDateTime, nullable=False),
    _person("decided_by"),
    Column("decided_at", UtcDateTime),
    Column("policy_version", Integer),
    Column("notice_version", Integer),
)

notice_view = Table(
    "notice_view",
    metadata,
    Column("id", Integer, primary_key=True),
    _person("patient", nullable=False),
    Column("version", Integer, ForeignKey("notice.version"), nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
    UniqueConstraint("patient", "version"),
)

# M18/2, KVKK 12/5: the breach register.
breach = Table(
    "breach",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("detected_at", UtcDateTime, nullable=False),
    Column("occurred_from", UtcDateTime),
    Column("occurred_until", UtcDateTime),
    Column("description", Text, nullable=False),
    Column("source", Text),
    Column("categories", JSON, nullable=False),
    Column("measures", JSON, nullable=False),  # [{at, text}]
    Column("scope", JSON),  # the audit filter the affected patients were found with
    _person("recorded_by", nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # open, notified, closed
    Column("board_notified_at", UtcDateTime),
    Column("delay_reason", Text),
    Column("closed_at", UtcDateTime),
)

breach_patient = Table(
    "breach_patient",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("breach", Integer, ForeignKey("breach.id"), nullable=False),
    _person("patient", nullable=False),
    Column("records", JSON, nullable=False),
    Column("found_at", UtcDateTime, nullable=False),
    Column("notified_at", UtcDateTime),
    UniqueConstraint("breach", "patient"),
)
