"""Sealing and verifying the audit trail (M18/2): signed checkpoints over the chain, the
whole-log check, and inclusion proofs an outside party can verify (audit/checkpoints.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahrem.services import guard
from mahrem.services.audit import checkpoints
from mahrem.services.audit.trail import ChainReport
from mahrem.services.ports import Mahrem, Store


def seal(m: Mahrem, at: datetime | None = None, *, by: str | None = None) -> dict[str, Any] | None:
    """Seal the entries since the last checkpoint into a signed checkpoint. A person asking
    (`by`, over HTTP) must be a data protection officer; the operator's CLI and the server's
    own timer name nobody."""
    with m.uow.write() as store:
        when = m.at(at)
        _require_dpo(store, by, when)
        return checkpoints.seal(store, m.signer, when)


def verify(m: Mahrem, public_pem: str | None = None, *, by: str | None = None) -> ChainReport:
    """Check the whole chain and every checkpoint (with our key unless one is given); a
    person asking (`by`) must be a data protection officer."""
    with m.uow.read() as store:
        _require_dpo(store, by, m.clock())
        rows = list(store.audit.entries())
        cps = store.rows("audit_checkpoint")
    return checkpoints.verify_all(rows, cps, public_pem or m.signer.public_pem(), m.signer.verify)


def list_checkpoints(m: Mahrem) -> list[dict[str, Any]]:
    """Every checkpoint, oldest first, with its signature."""
    with m.uow.read() as store:
        rows = sorted(store.rows("audit_checkpoint"), key=lambda c: c["id"])
    return [{k: c[k] for k in (*checkpoints.PAYLOAD_FIELDS, "signature")} for c in rows]


def prove(m: Mahrem, seq: int, *, by: str | None = None) -> dict[str, Any]:
    """The inclusion proof of entry `seq` in the checkpoint that covers it; a person asking
    (`by`) must be a data protection officer."""
    with m.uow.read() as store:
        _require_dpo(store, by, m.clock())
        return checkpoints.prove(store, seq)


def _require_dpo(store: Store, by: str | None, at: datetime) -> None:
    if by is not None:
        guard.require_role(
            store,
            by,
            guard.DPO,
            at,
            "audit.forbidden",
            "only a data protection officer works on the audit log",
        )
