"""M13 — correcting health data created in error: the provider's correction, the patient's
request, the provincial officer's investigation, and the officer's work lists."""

from __future__ import annotations

from mahrem.services.corrections.correcting import correct
from mahrem.services.corrections.history import provider_corrections, record_history
from mahrem.services.corrections.review import file_request, forward, investigate, reject
from mahrem.services.corrections.status import correction_status, corrections_of
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
