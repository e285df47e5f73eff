"""M15 — transfers of health data to a recipient at home or abroad, under a signed protocol."""

from __future__ import annotations

from mahrem.services.transfers.procedure import (
    Selection,
    Transfer,
    get_transfer,
    list_transfers,
    open_package,
    transfer,
    validate_bundle,
)

__all__ = [
    "Selection",
    "Transfer",
    "get_transfer",
    "list_transfers",
    "open_package",
    "transfer",
    "validate_bundle",
]
