"""Corrections with versions (M13); destruction and retention with crypto-shredding keys
(M11/2, M14).

Tables share the one `metadata` of `mahrem.adapters.orm_base`; `orm` imports this module.

Record content lives only in `record_version.ciphertext`, encrypted under the patient's data
key (`data_key` names its versions; the key itself is in the key store, never here). The
`record.resource` column of rows written since migration 0006 holds `{}`.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from mahrem.adapters.orm_base import ID, UtcDateTime, metadata

# Every version of a record's content: version 1 as created, one more per correction (M13).
record_version = Table(
    "record_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record", ID, ForeignKey("record.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("ciphertext", LargeBinary, nullable=True),  # NULL once destroyed
    Column("category", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", ID, ForeignKey("person.id")),
    Column("basis", String(16)),
    Column("correction_request", ID, ForeignKey("correction_request.id")),
    UniqueConstraint("record", "version"),
)

# The versions of each patient's data key; the key material stays in the key store.
# retired_at: the key is to be destroyed (crypto-shredding); shredded_at: it was.
data_key = Table(
    "data_key",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient", ID, ForeignKey("person.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("retired_at", UtcDateTime),
    Column("shredded_at", UtcDateTime),
    UniqueConstraint("patient", "version"),
)

# A record no user can reach any more: deleted, destroyed or anonymised (M14).
record_disposal = Table(
    "record_disposal",
    metadata,
    Column("record", ID, ForeignKey("record.id"), primary_key=True),
    Column("method", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("by", ID, ForeignKey("person.id"), nullable=False),
)

# Anonymised versions, deliberately linked to no patient and no record (M14, anonim hale getirme).
anonymised_record = Table(
    "anonymised_record",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("resource", JSON, nullable=False),
)

# One row per periodic destruction run (M14; the period may not exceed six months).
lifecycle_run = Table(
    "lifecycle_run",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("by", ID, ForeignKey("person.id"), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("due", Integer, nullable=False),
    Column("counts", JSON, nullable=False),
)

# The destruction record: what, which method, when, who; kept at least three years.
destruction_record = Table(
    "destruction_record",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run", Integer, ForeignKey("lifecycle_run.id"), index=True),
    Column("request", String(64)),
    Column("record", ID, nullable=False),
    Column("patient", ID, nullable=False, index=True),
    Column("category", String(32), nullable=False),
    Column("method", String(16), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("reason", String(48), nullable=False),
    Column("due_at", UtcDateTime),
    Column("done_at", UtcDateTime, nullable=False),
    Column("by", ID, nullable=False),
    Column("keep_until", UtcDateTime, nullable=False),
    Column("key_shredded", Boolean, nullable=False),
    UniqueConstraint("record", "method"),
)

# The status history of each correction request (M13): filed, investigating, forwarded,
# rejected (with a reason), corrected.
correction_status = Table(
    "correction_status",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("request", ID, ForeignKey("correction_request.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("by", ID, ForeignKey("person.id"), nullable=False),
    Column("reason", Text),
)
