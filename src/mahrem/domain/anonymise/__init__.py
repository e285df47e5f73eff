"""Anonymisation for research (M16) and open data (M17): generalisation hierarchies, privacy
models, the optimal lattice search, utility and risk, and small-cell suppression. Pure: numpy
only, no I/O, no clock, no randomness."""

from mahrem.domain.anonymise.hierarchy import Hierarchy, from_csv
from mahrem.domain.anonymise.models import (
    DistinctLDiversity,
    EntropyLDiversity,
    KAnonymity,
    PrivacyModel,
    TCloseness,
    parse,
)
from mahrem.domain.anonymise.release import Anonymised, anonymise

__all__ = [
    "Anonymised",
    "DistinctLDiversity",
    "EntropyLDiversity",
    "Hierarchy",
    "KAnonymity",
    "PrivacyModel",
    "TCloseness",
    "anonymise",
    "from_csv",
    "parse",
]
