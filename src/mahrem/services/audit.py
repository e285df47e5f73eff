"""The audit log: every decision and every event, appended in the same transaction as the
change it records (M5/1, M18, KVKK art. 12), hash-chained so that any later change shows.

Entry n's hash is SHA-256 over entry n-1's hash and entry n's canonical JSON; the head row
(`audit_head`) is updated in the same transaction, which also serialises writers on PostgreSQL.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any, Protocol

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "kind", "actor", "capacity", "via", "action", "patient", "record", "purpose",
    "outcome", "basis", "reason", "policy_version", "detail",
)


class AuditStore(Protocol):
    def get(self, kind: str, key: Any) -> dict[str, Any] | None: ...
    def add(self, kind: str, /, **values: Any) -> int | None: ...
    def set(self, kind: str, /, key: Any, **values: Any) -> None: ...


def canonical(entry: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers: its fields as sorted, compact JSON, times in UTC."""
    body = {k: entry.get(k) for k in HASHED_FIELDS}
    at = body["at"]
    if isinstance(at, datetime):
        body["at"] = at.isoformat()
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry)).hexdigest()


def append(store: AuditStore, **entry: Any) -> int:
    """Append one entry after the current head and move the head; returns its sequence number."""
    head = store.get("audit_head", 1)
    seq = (head["seq"] if head else 0) + 1
    prev = head["hash"] if head else GENESIS
    entry["at"] = entry["at"].astimezone(timezone.utc)
    entry["seq"] = seq
    digest = chain_hash(prev, entry)
    store.add("audit_log", **{k: entry.get(k) for k in HASHED_FIELDS}, prev_hash=prev, hash=digest)
    if head is None:
        store.add("audit_head", id=1, seq=seq, hash=digest)
    else:
        store.set("audit_head", 1, seq=seq, hash=digest)
    return seq
