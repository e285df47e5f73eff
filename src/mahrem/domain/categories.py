"""Record categories derived from a FHIR resource's codes (SPEC.md, "Categories"; M6/6).

Codes are read from every coding in the resource's `code`, `type`, `category`, `class`,
`reasonCode` and `valueCodeableConcept`. A record that gives a Condition of the same patient as
its reason (`reasonReference`) takes that Condition's category when it comes earlier in the
order; one that belongs to an Encounter (`encounter`, `context`) takes the Encounter's category
when it is restricted (a procedure during a psychiatric encounter is psychiatric data). The
service layer looks those records up and passes their categories in. A derived
restricted category overrides a non-restricted one the sender gave, because the sender's label
must never lower the protection M6/6 asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
CODED_ELEMENTS = ("code", "type", "category", "class", "reasonCode", "valueCodeableConcept")
# Where a resource names the records whose category it takes (SPEC.md, "Categories").
REASON_ELEMENTS = ("reasonReference",)
ENCOUNTER_ELEMENTS = ("encounter", "context")
ICD10_MARKERS = ("icd-10", "icd10")


def codings(resource: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every (system, code) in the coded elements, whether CodeableConcept, Coding or a list."""
    for system, code, _ in codings_with_display(resource):
        yield system, code


def codings_with_display(resource: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Every (system, code, display) in the coded elements."""
    for element in CODED_ELEMENTS:
        yield from _codings_in(resource.get(element))


def _codings_in(value: Any) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, list):
        for item in value:
            yield from _codings_in(item)
    elif isinstance(value, dict):
        if "coding" in value:
            yield from _codings_in(value["coding"])
        elif "code" in value:
            yield str(value.get("system", "")), str(value["code"]), str(value.get("display", ""))


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


def linked_references(resource: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The `Type/id` references of (the reasons a resource gives, the encounters it belongs
    to), whose records' categories `derive_category` takes."""

    def refs(elements: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for element in elements:
            value = resource.get(element)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and isinstance(item.get("reference"), str):
                    out.append(item["reference"])
        return out

    return refs(REASON_ELEMENTS), refs(ENCOUNTER_ELEMENTS)


def matched_categories(resource: dict[str, Any], policy: Policy) -> set[str]:
    """Every category a coding of the resource's coded elements matches (no priority)."""
    return {c for system, code in codings(resource) for c in _matches(system, code, policy)}


def derive_category(
    resource: dict[str, Any],
    sent: str | None,
    policy: Policy,
    reasons: Iterable[str] = (),
    encounters: Iterable[str] = (),
) -> str:
    """The record's category: derived from its codes, the categories of the Conditions it gives
    as reasons (`reasons`) and the restricted categories of its encounters (`encounters`), the
    sender's, or `general`."""
    found = matched_categories(resource, policy) | set(reasons)
    found |= {c for c in encounters if policy.is_restricted(c)}
    type_default = policy.resource_type_categories.get(str(resource.get("resourceType")))
    if type_default:
        found.add(type_default)
    derived = next((c for c in policy.category_priority if c in found), None)
    if sent:
        if derived and policy.is_restricted(derived) and not policy.is_restricted(sent):
            return derived
        return sent
    return derived or "general"
