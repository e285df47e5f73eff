"""M16, M4/1-c — research datasets: decided per patient, anonymised (k-anonymity, l-diversity),
audited."""

from __future__ import annotations

from mahrem.services.research.exports import age_on, icd10_of, run_export, sexes_of

__all__ = [
    "age_on",
    "icd10_of",
    "run_export",
    "sexes_of",
]
