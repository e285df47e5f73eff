"""Record categories derived from a FHIR resource's codes (SPEC.md, "Categories"; M6/6).

Codes are read from every coding in the resource's `code`, `type`, `category` and `class`.
A derived restricted category overrides a non-restricted one the sender gave, because the
sender's label must never lower the protection M6/6 asks for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mahrem.domain.policy import Policy

# The categories a record is filed under (SPEC.md C1); the restricted ones need M6/5 or more.
CATEGORIES = (
    "psychiatry",
    "sexual_health",
    "hiv",
    "genetics",
    "substance_use",
    "reproductive",
    "laboratory",
    "imaging",
    "prescription",
    "vaccination",
    "general",
)
CODED_ELEMENTS = ("code", "type", "category", "class")
ICD10_MARKERS = ("icd-10", "icd10")


def codings(resource: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every (system, code) in the coded elements, whether CodeableConcept, Coding or a list."""
    for element in CODED_ELEMENTS:
        yield from _codings_in(resource.get(element))


def _codings_in(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, list):
        for item in value:
            yield from _codings_in(item)
    elif isinstance(value, dict):
        if "coding" in value:
            yield from _codings_in(value["coding"])
        elif "code" in value:
            yield str(value.get("system", "")), str(value["code"])


def _icd10_block(code: str) -> tuple[str, int] | None:
    head = code.strip().upper()[:3]
    if len(head) == 3 and head[0].isalpha() and head[1:].isdigit():
        return head[0], int(head[1:])
    return None


def icd10_in_range(code: str, spec: str) -> bool:
    """True when the code's first three characters fall in `spec` ("F10-F19" or "Z21")."""
    block = _icd10_block(code)
    low, _, high = spec.partition("-")
    lo, hi = _icd10_block(low), _icd10_block(high or low)
    if block is None or lo is None or hi is None:
        return False
    return lo <= block <= hi


def _matches(system: str, code: str, policy: Policy) -> Iterator[str]:
    lowered = system.lower()
    if any(marker in lowered for marker in ICD10_MARKERS):
        for category, ranges in policy.icd10_ranges.items():
            if any(icd10_in_range(code, spec) for spec in ranges):
                yield category
    elif "snomed" in lowered:
        yield from (c for c, codes in policy.snomed_codes.items() if code in codes)
    elif "loinc" in lowered:
        yield from (c for c, codes in policy.loinc_codes.items() if code in codes)
    yield from (c for c, codes in policy.category_codes.items() if code in codes)


def derive_category(resource: dict[str, Any], sent: str | None, policy: Policy) -> str:
    """The record's category: derived from its codes, the sender's, or `general`."""
    found = {c for system, code in codings(resource) for c in _matches(system, code, policy)}
    type_default = policy.resource_type_categories.get(str(resource.get("resourceType")))
    if type_default:
        found.add(type_default)
    derived = next((c for c in policy.category_priority if c in found), None)
    if sent:
        if derived and policy.is_restricted(derived) and not policy.is_restricted(sent):
            return derived
        return sent
    return derived or "general"
