"""Signed checkpoints over the audit log and inclusion proofs an outside party can check.

A checkpoint seals the entries since the previous one: the Merkle root of their hashes, the
chain head (the last entry's hash) and the range, signed with Ed25519 under a key outside the
database. `verify` recomputes every checkpoint; `prove` gives one entry's path to its
checkpoint's root; `check_proof` needs nothing but the proof and the public key.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from mahrem.domain import merkle
from mahrem.domain.errors import InputError, NotFound
from mahrem.services.audit.trail import ChainReport, Problem, chain_hash, gc_paused, verify_chain

PAYLOAD_FIELDS = ("id", "first_seq", "last_seq", "root", "chain_head", "created_at", "key_id")


class Signer(Protocol):
    def sign(self, payload: bytes) -> bytes: ...
    def key_id(self) -> str: ...
    def public_pem(self) -> str: ...


class Verifier(Protocol):
    def __call__(self, public_pem: str, payload: bytes, signature: bytes) -> bool: ...


def payload(checkpoint: dict[str, Any]) -> bytes:
    """What a checkpoint's signature covers, as canonical JSON."""
    body = {k: checkpoint[k] for k in PAYLOAD_FIELDS}
    if isinstance(body["created_at"], datetime):
        body["created_at"] = body["created_at"].isoformat()
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _leaves(hashes: Iterable[str]) -> list[bytes]:
    return merkle.leaf_hashes(map(bytes.fromhex, hashes))


def seal(store: Any, signer: Signer, at: datetime) -> dict[str, Any] | None:
    """Seal the entries since the last checkpoint; None when there are none."""
    checkpoints = store.rows("audit_checkpoint")
    last = max((c["last_seq"] for c in checkpoints), default=0)
    entries = store.audit.hashes(last + 1, None)
    if not entries:
        return None
    first_seq, last_seq = entries[0][0], entries[-1][0]
    cp: dict[str, Any] = {
        "id": len(checkpoints) + 1,
        "first_seq": first_seq,
        "last_seq": last_seq,
        "root": merkle.root(_leaves([h for _, h in entries])).hex(),
        "chain_head": entries[-1][1],
        "created_at": at.isoformat(),
        "key_id": signer.key_id(),
    }
    cp["signature"] = base64.b64encode(signer.sign(payload(cp))).decode()
    store.add("audit_checkpoint", **cp, public_key=signer.public_pem())
    return cp


def verify_checkpoints(
    checkpoints: list[dict[str, Any]], hashes: dict[int, str], public_pem: str, verify_sig: Verifier
) -> list[Problem]:
    """Every checkpoint's signature, range, root and chain head against the stored entries."""
    problems: list[Problem] = []
    expected_first = 1
    for cp in sorted(checkpoints, key=lambda c: c["id"]):
        name = f"checkpoint {cp['id']} (entries {cp['first_seq']}–{cp['last_seq']})"
        if not verify_sig(public_pem, payload(cp), base64.b64decode(cp["signature"])):
            problems.append(
                Problem("checkpoint", cp["first_seq"], f"{name}: signature does not verify")
            )
            continue
        if cp["first_seq"] != expected_first:
            problems.append(
                Problem(
                    "checkpoint", expected_first, f"{name}: does not follow the previous checkpoint"
                )
            )
        expected_first = cp["last_seq"] + 1
        seqs = range(cp["first_seq"], cp["last_seq"] + 1)
        missing = (
            None
            if all(map(hashes.__contains__, seqs))
            else next(s for s in seqs if s not in hashes)
        )
        if missing is not None:
            problems.append(Problem("removed", missing, f"{name}: entry {missing} is missing"))
            continue
        if hashes[cp["last_seq"]] != cp["chain_head"]:
            problems.append(
                Problem(
                    "changed",
                    cp["first_seq"],
                    f"{name}: the chain head differs from the signed one",
                )
            )
            continue
        if merkle.root(_leaves(map(hashes.__getitem__, seqs))).hex() != cp["root"]:
            problems.append(
                Problem(
                    "changed", cp["first_seq"], f"{name}: Merkle root differs from the signed one"
                )
            )
    return problems


def verify_all(
    rows: list[dict[str, Any]],
    checkpoints: list[dict[str, Any]],
    public_pem: str | None,
    verify_sig: Verifier,
) -> ChainReport:
    """The chain, then every checkpoint; problems are listed in that order."""
    with gc_paused():  # see gc_paused: nothing here makes cycles, and `rows` may be a million dicts
        report = verify_chain(rows)
        if checkpoints:
            if public_pem is None:
                report.problems.append(
                    Problem("checkpoint", None, "no public key to check the checkpoints with")
                )
            else:
                report.problems.extend(
                    verify_checkpoints(checkpoints, report.hashes, public_pem, verify_sig)
                )
    return report


def prove(store: Any, seq: int) -> dict[str, Any]:
    """An inclusion proof of entry `seq` in the checkpoint that seals it."""
    entry = store.get("audit_log", seq)
    if entry is None:
        raise NotFound("audit.entry_unknown", f"no audit entry {seq}")
    cp = next(
        (c for c in store.rows("audit_checkpoint") if c["first_seq"] <= seq <= c["last_seq"]), None
    )
    if cp is None:
        raise InputError(
            "audit.not_sealed",
            f"entry {seq} is not sealed in a checkpoint yet: run `mahrem audit seal`",
        )
    hashes = [h for _, h in store.audit.hashes(cp["first_seq"], cp["last_seq"])]
    index = seq - cp["first_seq"]
    path = merkle.inclusion_path(index, _leaves(hashes))
    return {
        "entry": _jsonable(entry),
        "leaf_index": index,
        "tree_size": len(hashes),
        "audit_path": [p.hex() for p in path],
        "checkpoint": {k: cp[k] for k in (*PAYLOAD_FIELDS, "signature")},
    }


def _jsonable(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in entry.items()}


def check_proof(
    proof: dict[str, Any],
    public_pem: str,
    verify_sig: Verifier,
    published: dict[str, Any] | None = None,
) -> tuple[bool, str]:
    """Check a proof with only the public key (and optionally the checkpoint as published)."""
    try:
        entry, cp = proof["entry"], proof["checkpoint"]
        if published is not None and any(
            published.get(k) != cp.get(k) for k in (*PAYLOAD_FIELDS, "signature")
        ):
            return False, "the proof's checkpoint is not the published one"
        if not verify_sig(public_pem, payload(cp), base64.b64decode(cp["signature"])):
            return False, "the checkpoint's signature does not verify with this key"
        if chain_hash(entry["prev_hash"], entry) != entry["hash"]:
            return False, "the entry's content does not match its hash"
        leaf = merkle.leaf_hash(bytes.fromhex(entry["hash"]))
        path = [bytes.fromhex(p) for p in proof["audit_path"]]
        computed = merkle.root_from_path(proof["leaf_index"], proof["tree_size"], leaf, path)
    except (KeyError, TypeError, ValueError) as exc:
        return False, f"malformed proof: {exc}"
    if computed.hex() != cp["root"]:
        return False, "the entry is not in the checkpoint: the path leads to another root"
    return (
        True,
        f"entry {entry['seq']} is included in checkpoint {cp['id']} signed by key {cp['key_id']}",
    )
