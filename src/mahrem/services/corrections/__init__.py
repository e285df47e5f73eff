"""M13 — correcting health data created in error: the provider's correction, the patient's
request, the provincial officer's investigation, and the officer's work lists."""

from __future__ import annotations

from mahrem.services.corrections.correcting import (
    correct,
    correction_status,
    corrections_of,
    file_request,
    forward,
    investigate,
    provider_corrections,
    record_history,
    reject,
)
from mahrem.services.corrections.worklist import province_corrections, written_opinions

__all__ = [
    "correct",
    "correction_status",
    "corrections_of",
    "file_request",
    "forward",
    "investigate",
    "provider_corrections",
    "province_corrections",
    "record_history",
    "reject",
    "written_opinions",
]
