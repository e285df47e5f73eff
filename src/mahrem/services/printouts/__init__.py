"""M5/5 — printed laboratory results with the patient's identifiers masked, a verification
code, and the full document behind the code for its owner."""

from __future__ import annotations

from mahrem.domain.printout import HIGH, LOW, LabReport, ResultRow
from mahrem.services.printouts.issuing import create_printout, open_printout
from mahrem.services.printouts.printing import normalise_code

__all__ = [
    "HIGH",
    "LOW",
    "LabReport",
    "ResultRow",
    "create_printout",
    "normalise_code",
    "open_printout",
]
