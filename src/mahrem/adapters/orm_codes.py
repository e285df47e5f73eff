"""M6/5 one-time codes, their entries, lock-outs and grants; the development SMS outbox."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from mahrem.adapters.orm_base import UtcDateTime, metadata, person_column, span_columns

# M6/5 one-time codes: only an HMAC of the code is kept, under a key outside the database.
one_time_code = Table(
    "one_time_code",
    metadata,
    Column("id", Integer, primary_key=True),
    person_column("physician", nullable=False),
    person_column("patient", nullable=False),
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
    person_column("physician", nullable=False),
    person_column("patient", nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),  # accepted, wrong, refused
    Index("ix_code_entry_pair", "physician", "patient"),
)

code_lockout = Table(
    "code_lockout",
    metadata,
    Column("id", Integer, primary_key=True),
    person_column("physician", nullable=False),
    person_column("patient", nullable=False),
    *span_columns(),
    Index("ix_code_lockout_pair", "physician", "patient"),
)

code_grant = Table(
    "code_grant",
    metadata,
    Column("id", Integer, primary_key=True),
    person_column("physician", nullable=False),
    person_column("patient", nullable=False),
    *span_columns(),
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
