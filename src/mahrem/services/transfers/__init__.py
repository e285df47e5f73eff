"""M15 — transfers of health data to a recipient at home or abroad, under a signed protocol."""

from __future__ import annotations

from mahrem.services.transfers.packaging import open_package, validate_bundle
from mahrem.services.transfers.procedure import Selection, Transfer, transfer
from mahrem.services.transfers.reading import get_transfer, list_transfers, recipient_notices

__all__ = [
    "Selection",
    "Transfer",
    "get_transfer",
    "list_transfers",
    "open_package",
    "recipient_notices",
    "transfer",
    "validate_bundle",
]
