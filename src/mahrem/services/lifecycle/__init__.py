"""M14 and M11/2 — periodic destruction (imha) and the data subject's destruction request."""

from __future__ import annotations

from mahrem.services.lifecycle.destruction import run, seal_plaintext_records
from mahrem.services.lifecycle.on_request import (
    destroy_patient_data,
    destruction_records,
    runs,
    schedule,
)

__all__ = [
    "destroy_patient_data",
    "destruction_records",
    "run",
    "runs",
    "schedule",
    "seal_plaintext_records",
]
