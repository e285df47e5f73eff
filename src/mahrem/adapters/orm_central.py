"""M7: the central feed's pseudonym key versions and the pseudonym vault."""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, String, Table, UniqueConstraint

from mahrem.adapters.orm_base import UtcDateTime, metadata

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
