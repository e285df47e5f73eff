"""People's accounts: password hashes (argon2), TOTP secrets, sessions and login attempts.

Nothing here lets a copy of the database log anyone in: passwords are argon2id hashes, the
TOTP secret is sealed (AES-SIV) under a key of the key store, and a session is kept only as
the SHA-256 of its token. Tables share the one `metadata` of `mahrem.adapters.orm_base`;
`orm` imports this module.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from mahrem.adapters.orm_base import ID, UtcDateTime, metadata

account = Table(
    "account",
    metadata,
    Column("person", ID, ForeignKey("person.id"), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("totp_sealed", LargeBinary),  # AES-SIV under the key store's `totp`, bound to the person
    Column("totp_last_step", Integer),  # the last 30-second step accepted: a code is used once
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

account_session = Table(
    "account_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person", ID, ForeignKey("person.id"), nullable=False, index=True),
    Column("installation", ID, ForeignKey("installation.id")),
    Column("client", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
)

# Every login attempt (person is None when the login named nobody): the rate limits count
# the failures of the last minutes per person and per client address.
login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person", ID),
    Column("login_key", String(64)),  # HMAC of the login as typed: failures are counted by it
    Column("client", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),  # accepted, failed, limited
    Index("ix_login_attempt_person_at", "person", "at"),
    Index("ix_login_attempt_client_at", "client", "at"),
    Index("ix_login_attempt_login_key_at", "login_key", "at"),
)
