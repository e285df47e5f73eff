"""M5/5 — what a printed laboratory result shows: the facility, the patient as masked (or not),
one row per test with its flag, and the verification code that opens the full document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mahrem.domain.masking import Identity

HIGH, LOW = "Y", "D"  # yüksek, düşük: the flags a Turkish report prints


@dataclass(frozen=True, slots=True)
class ResultRow:
    test: str
    value: str
    unit: str
    reference: str
    taken_at: datetime | None
    flag: str = ""


@dataclass(frozen=True, slots=True)
class LabReport:
    """What a printout shows: the facility, the patient as masked (or not), the results."""

    facility: str
    patient: Identity
    rows: tuple[ResultRow, ...]
    issued_at: datetime
    code: str
    masked: bool
    physician: str | None = None  # who asked for the tests (staff, not the patient: not masked)
    sampled_at: datetime | None = None
    approved_at: datetime | None = None
