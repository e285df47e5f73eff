"""KVKK 11/1-f — the data subject may ask that third parties to whom the data was transferred
be told of its correction or deletion. Mahrem tells them without being asked: when a record
that a transfer delivered is corrected (M13) or disposed of (M14), each such transfer gets a
notice for its recipient (`recipient_notice`), which the data protection officer reads with
the transfers (`transfers.recipient_notices`) and sends. Issue 21."""

from __future__ import annotations

from datetime import datetime

from mahrem.services.ports import Store


def tell_recipients(store: Store, record: str, change: str, at: datetime) -> int:
    """Add a notice for every transfer that delivered `record`; how many."""
    told = 0
    for item in store.rows("transfer_item", record=record, effect="permit"):
        transfer = store.get("transfer", item["transfer"])
        if transfer is None or transfer["status"] != "packaged":
            continue
        store.add(
            "recipient_notice", transfer=item["transfer"], record=record, change=change, at=at
        )
        told += 1
    return told
