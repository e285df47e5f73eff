"""M15 — the transfer register as the data protection officer reads it: one transfer with its
manifest and refusals, or the list of them (reading is audited too)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.errors import NotFound
from mahrem.services.audit import guard_dpo

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem
from mahrem.services.transfers.procedure import Transfer, _public, _view


# -- reading ------------------------------------------------------------------------------------
def get_transfer(m: Mahrem, viewer: str, transfer_id: str, at: datetime | None = None) -> Transfer:
    """One transfer, its manifest, package and refusals (data protection officer)."""
    guard_dpo(m, viewer, m.at(at), "transfer", "transfer_read")
    with m.uow.read() as store:
        row = store.get("transfer", transfer_id)
        if row is None:
            raise NotFound(
                "transfer.unknown", f"unknown transfer {transfer_id!r}", field="transfer_id"
            )
        return _view(
            row,
            sorted(store.rows("transfer_item", transfer=transfer_id), key=lambda r: r["record"]),
        )


def list_transfers(
    m: Mahrem, viewer: str, limit: int = 100, offset: int = 0, at: datetime | None = None
) -> list[dict[str, Any]]:
    """Every transfer, newest first, without packages (data protection officer)."""
    guard_dpo(m, viewer, m.at(at), "transfer", "transfer_read")
    with m.uow.read() as store:
        rows = sorted(
            store.rows("transfer"), key=lambda r: (r["created_at"], r["id"]), reverse=True
        )
    return [
        {
            "id": r["id"],
            "status": r["status"],
            "created_at": r["created_at"].isoformat(),
            "created_by": r["created_by"],
            "recipient": _public(r["recipient"]),
            "total": r["total"],
            "counts": (r["manifest"] or {}).get("counts"),
        }
        for r in rows[offset : offset + limit]
    ]


def recipient_notices(m: Mahrem, viewer: str, at: datetime | None = None) -> list[dict[str, Any]]:
    """KVKK 11/1-f — what recipients of transfers are to be told, newest first (the data
    protection officer): the transfer, its recipient, the record and what became of it."""
    guard_dpo(m, viewer, m.at(at), "transfer", "recipient_notices_read")
    with m.uow.read() as store:
        out = []
        notices = sorted(store.rows("recipient_notice"), key=lambda r: (r["at"], r["id"]))
        for n in reversed(notices):
            transfer = store.get("transfer", n["transfer"])
            assert transfer is not None
            recipient = transfer["recipient"]
            out.append(
                {
                    "transfer": n["transfer"],
                    "recipient": {k: recipient.get(k) for k in ("kind", "name", "country")},
                    "record": n["record"],
                    "change": n["change"],
                    "at": n["at"].isoformat(),
                }
            )
        return out
