"""The audit trail (M18, M20): its hash-chained log, its head, and signed Merkle checkpoints."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, Table, Text

from mahrem.adapters.orm_base import ID, UtcDateTime, metadata

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
