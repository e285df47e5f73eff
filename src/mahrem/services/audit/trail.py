"""The audit log: every decision, event and administrative act, appended in the same
transaction as the change it records (M5/1, M18, KVKK art. 12), hash-chained so that any later
change shows, and sealed into signed Merkle checkpoints (services/checkpoints.py).

Entry n's hash is SHA-256 over entry n-1's hash and entry n's canonical JSON. The sequence
number is deliberately outside the hash: order is what the `prev_hash` links say, so a
renumbering shows up as a broken link rather than passing as a changed field.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mahrem.services.ports import Store

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at",
    "kind",
    "actor",
    "capacity",
    "role",
    "facility",
    "via",
    "action",
    "patient",
    "record",
    "purpose",
    "outcome",
    "basis",
    "reason",
    "policy_version",
    "detail",
)


# One encoder for every call (json.dumps would build a new one each time), and the body built in
# sorted key order (so the encoder's sort has nothing to move): the bytes are those of
# json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_SORTED_FIELDS = tuple(sorted(HASHED_FIELDS))


def canonical(entry: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers: its fields as sorted, compact JSON, times in UTC."""
    get = entry.get
    body = {k: get(k) for k in _SORTED_FIELDS}
    at = body["at"]
    if isinstance(at, datetime):
        body["at"] = at.astimezone(UTC).isoformat()
    return _ENCODE(body).encode()


def chain_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry)).hexdigest()


def append(store: Store, **entry: Any) -> int:
    """Append one entry after the current head and move the head; returns its sequence number."""
    return append_many(store, [entry])[0]


def append_many(store: Store, entries: list[dict[str, Any]]) -> list[int]:
    """Append entries in order (group commit: one head lock, one insert, one head update).

    The head row is read FOR UPDATE, so concurrent writers on PostgreSQL queue behind each
    other instead of forking the chain (SQLite's BEGIN IMMEDIATE does the same); the genesis
    head row exists from migration 0004 on, so even the first append has a row to lock."""
    if not entries:
        return []
    head = store.audit.head_for_update()
    seq = head["seq"] if head else 0
    prev = head["hash"] if head else GENESIS
    rows: list[dict[str, Any]] = []
    for entry in entries:
        entry = {**entry, "at": entry["at"].astimezone(UTC)}
        seq += 1
        digest = chain_hash(prev, entry)
        rows.append(
            {
                "seq": seq,
                **{k: entry.get(k) for k in HASHED_FIELDS},
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    store.audit.insert(rows)
    if head is None:
        store.add("audit_head", id=1, seq=seq, hash=prev)
    else:
        store.set("audit_head", 1, seq=seq, hash=prev)
    return [r["seq"] for r in rows]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of `verify`: what is wrong (changed, removed, inserted, reordered,
    checkpoint) and the first entry it concerns."""

    kind: str
    seq: int | None
    message: str


@dataclass
class ChainReport:
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(rows: Iterable[dict[str, Any]], keep_hashes: bool = True) -> ChainReport:
    """Walk the log in sequence order and name the first entry that breaks the chain.

    - content that no longer matches its hash → changed;
    - a sequence gap, or a link to a hash nobody has → removed;
    - a link to the same parent as the entry before → that entry was inserted;
    - a link to a later entry's hash → reordered.
    """
    report = ChainReport()
    rows = list(rows) if not isinstance(rows, list) else rows
    hashes = report.hashes
    prev, prev_parent, expected = GENESIS, None, 1
    with gc_paused():
        for row in rows:
            seq, parent, digest = row["seq"], row["prev_hash"], row["hash"]
            if keep_hashes:
                hashes[seq] = digest
            report.entries += 1
            # The common case inline: in sequence, linked to the entry before, content intact.
            # Anything else goes to `_check`, which names the problem.
            if seq != expected or parent != prev or chain_hash(parent, row) != digest:
                problem = _check(row, expected, prev, prev_parent, _HashIndex(rows))
                if problem is not None:
                    report.problems.append(problem)
                    return report
            prev, prev_parent, expected = digest, parent, seq + 1
    return report


class _HashIndex:
    """seq by hash over all rows, built only when a link has to be looked up."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.index: dict[str, int] | None = None

    def get(self, digest: str) -> int | None:
        if self.index is None:
            self.index = {r["hash"]: r["seq"] for r in self.rows}
        return self.index.get(digest)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees memory).

    Walking or building a million-entry log allocates millions of container objects that stay
    alive; the collector would traverse them over and over for nothing. Restores the previous
    state, so it nests and leaves a disabled collector disabled."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check(
    row: dict[str, Any],
    expected: int,
    prev: str,
    prev_parent: str | None,
    by_hash: dict[str, int] | _HashIndex,
) -> Problem | None:
    seq = row["seq"]
    if seq != expected:
        return Problem("removed", expected, f"entry {expected} is missing (next entry is {seq})")
    if chain_hash(row["prev_hash"], row) != row["hash"]:
        return Problem(
            "changed", seq, f"entry {seq} was changed: its content does not match its hash"
        )
    if row["prev_hash"] == prev:
        return None
    if prev_parent is not None and row["prev_hash"] == prev_parent:
        return Problem(
            "inserted", seq - 1, f"entry {seq - 1} was inserted: entry {seq} links past it"
        )
    linked = by_hash.get(row["prev_hash"])
    if linked is not None and linked > seq:
        return Problem("reordered", seq, f"entry {seq} is out of order: it follows entry {linked}")
    return Problem("removed", seq, f"an entry before {seq} was removed: its predecessor is gone")
