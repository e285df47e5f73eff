"""Policy configuration: every parameter of the access rules, versioned (M6/4).

M6/4 lets the General Directorate re-evaluate the access rules; Mahrem keeps every window,
age, list and limit here so that a change is a new version, and every decision names the
version it used.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from mahrem.domain import valuesets

CARE_PURPOSES = ("treatment", "diagnosis", "care", "preventive")
MINISTRY_PURPOSES = ("planning", "financing", "inspection", "regulation")
RESTRICTED_CATEGORIES = (
    "psychiatry",
    "sexual_health",
    "hiv",
    "genetics",
    "substance_use",
    "reproductive",
)
# SPEC.md: when several categories match, the first in this order wins.
CATEGORY_PRIORITY = (
    "hiv",
    "substance_use",
    "psychiatry",
    "sexual_health",
    "reproductive",
    "genetics",
    "laboratory",
    "imaging",
    "prescription",
    "vaccination",
    "general",
)
MATCHING_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "psychiatry": ("psychiatry",),
    "sexual_health": ("infectious_diseases", "dermatology"),
    "hiv": ("infectious_diseases", "dermatology"),
    "genetics": ("medical_genetics",),
    "substance_use": ("psychiatry",),
    "reproductive": ("obstetrics",),
}
# ICD-10 ranges on the code's first three characters (reference/law-notes.md §1.5).
ICD10_RANGES: dict[str, tuple[str, ...]] = {
    "psychiatry": ("F00-F99",),
    "substance_use": ("F10-F19",),
    "hiv": ("B20-B24", "Z21", "R75"),
    "sexual_health": ("A50-A64",),
    "reproductive": ("O00-O08", "N97", "Z30", "Z31"),
}
# SNOMED CT and LOINC lists per restricted category: versioned, reviewed value sets with their
# sources (domain/valuesets/*.json, issue 19).
SNOMED_CODES: dict[str, tuple[str, ...]] = valuesets.codes("snomed")
LOINC_CODES: dict[str, tuple[str, ...]] = valuesets.codes("loinc")
# Codes of FHIR's own category systems and a last resort by resource type.
CATEGORY_CODES: dict[str, tuple[str, ...]] = {
    "laboratory": ("laboratory", "LAB"),
    "imaging": ("imaging", "RAD"),
}
# M14, M11/2: how long each category is kept (years from the record's creation, Istanbul
# days) and how it is disposed of after: "delete" (silme: no user reaches it), "destroy" (yok
# etme: crypto-shredding, nobody ever reads it) or "anonymise" (anonim hale getirme). The
# regulation sets no period per category; 20 years follows M11/2's floor for the deceased.
# Restricted categories are destroyed; results useful for statistics are anonymised.
# domain/retention.py applies them; a deceased patient's records are kept at least
# `retention_after_death_years` after the death whatever the category says.
RETENTION_RULES: dict[str, dict[str, Any]] = {
    "psychiatry": {"years": 20, "method": "destroy"},
    "sexual_health": {"years": 20, "method": "destroy"},
    "hiv": {"years": 20, "method": "destroy"},
    "genetics": {"years": 20, "method": "destroy"},
    "substance_use": {"years": 20, "method": "destroy"},
    "reproductive": {"years": 20, "method": "destroy"},
    "laboratory": {"years": 20, "method": "anonymise"},
    "imaging": {"years": 20, "method": "anonymise"},
    "prescription": {"years": 20, "method": "anonymise"},
    "vaccination": {"years": 20, "method": "anonymise"},
    "general": {"years": 20, "method": "destroy"},
}
RESOURCE_TYPE_CATEGORIES: dict[str, str] = {
    "Immunization": "vaccination",
    "MedicationRequest": "prescription",
    "MedicationStatement": "prescription",
    "ImagingStudy": "imaging",
}


@dataclass(frozen=True, slots=True)
class Policy:
    """One version of the policy configuration. Immutable: a change makes a new version."""

    version: int = 1
    care_purposes: tuple[str, ...] = CARE_PURPOSES
    ministry_purposes: tuple[str, ...] = MINISTRY_PURPOSES
    check_in_window: timedelta = timedelta(hours=24)
    majority_age: int = 18
    discernment_age: int = 15
    restricted_categories: tuple[str, ...] = RESTRICTED_CATEGORIES
    matching_specialties: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(MATCHING_SPECIALTIES)
    )
    category_priority: tuple[str, ...] = CATEGORY_PRIORITY
    icd10_ranges: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(ICD10_RANGES))
    snomed_codes: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(SNOMED_CODES))
    loinc_codes: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(LOINC_CODES))
    category_codes: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(CATEGORY_CODES))
    resource_type_categories: dict[str, str] = field(
        default_factory=lambda: dict(RESOURCE_TYPE_CATEGORIES)
    )
    code_digits: int = 6
    code_lifetime: timedelta = timedelta(minutes=10)
    code_grant: timedelta = timedelta(hours=24)
    code_max_wrong_entries: int = 5
    code_lockout: timedelta = timedelta(hours=1)
    max_reidentifiers_per_unit: int = 3
    retention_after_death_years: int = 20
    # M5/5: the masking rule of each identifying field on printouts (domain/masking.py,
    # MaskingConfig); a field not named here keeps its default rule.
    printout_masking: dict[str, str] = field(default_factory=dict)
    # KTS/2: reads by one installation of this many distinct patients without a care
    # relationship within the window look like copying a facility's data (treated as export).
    copy_window: timedelta = timedelta(hours=1)
    copy_distinct_patients: int = 50
    # KTS lifecycle as the Ministry runs it (the letter, point 3).
    certificate_warning_days: int = 7
    passive_after_business_days: int = 7
    deleted_after_months: int = 3
    # M14, M11/2: retention per category (RETENTION_RULES).
    retention_rules: dict[str, dict[str, Any]] = field(
        default_factory=lambda: dict(RETENTION_RULES)
    )
    # KVKK 13/2 and M18/2: answer applications within 30 days, notify the Board within 72 hours.
    application_answer_days: int = 30
    destruction_request_days: int = 30
    breach_notification_hours: int = 72
    # KVKK 9/1: the countries the Board has found adequate, as GM records them (issue 21);
    # empty: no transfer abroad rests on adequacy (domain/transfer_grounds.py).
    adequate_countries: tuple[str, ...] = ()
    # M17: open data cells with a count below this are suppressed.
    open_data_min_cell: int = 5

    def is_restricted(self, category: str) -> bool:
        """M6/6: categories whose past data only matching specialties (or a code) open."""
        return category in self.restricted_categories

    def specialty_matches(self, category: str, specialty: str | None) -> bool:
        """M6/6: the physician's specialty is one that matches the restricted category."""
        return specialty is not None and specialty in self.matching_specialties.get(category, ())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form, durations in seconds, for storage and display."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.total_seconds() if isinstance(value, timedelta) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Inverse of `to_dict`; unknown keys are refused so a typo cannot pass silently."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            from mahrem.domain.errors import InputError

            raise InputError("policy.unknown_key", f"unknown policy keys: {sorted(unknown)}")
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            default = getattr(cls(), name)
            if isinstance(default, timedelta):
                kwargs[name] = timedelta(seconds=float(value))
            elif isinstance(default, tuple):
                kwargs[name] = tuple(value)
            elif isinstance(default, dict):
                kwargs[name] = {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
            else:
                kwargs[name] = value
        return cls(**kwargs)


DEFAULT_POLICY = Policy()
