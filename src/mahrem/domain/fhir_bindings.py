"""What a FHIR R4 resource must hold beyond its structure (issue 17): the required value-set
bindings of the status elements, and the invariants clients most often break (obs-6, obs-7,
con-4, con-5, ait-1, ait-2). fhir.resources checks the structure only, so `status: "banana"`
would otherwise be stored. Pure: each check names the element it refuses."""

from __future__ import annotations

from typing import Any

from mahrem.domain.errors import InputError


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Required bindings of R4 (each resource's page, "Terminology Bindings", strength required).
STATUS_CODES: dict[str, frozenset[str]] = {
    "Observation": _codes(
        "registered preliminary final amended corrected cancelled entered-in-error unknown"
    ),
    "DiagnosticReport": _codes(
        "registered partial preliminary final amended corrected appended cancelled "
        "entered-in-error unknown"
    ),
    "Encounter": _codes(
        "planned arrived triaged in-progress onleave finished cancelled entered-in-error unknown"
    ),
    "Procedure": _codes(
        "preparation in-progress not-done on-hold stopped completed entered-in-error unknown"
    ),
    "MedicationRequest": _codes(
        "active on-hold cancelled completed entered-in-error stopped draft unknown"
    ),
    "Appointment": _codes(
        "proposed pending booked arrived fulfilled cancelled noshow entered-in-error checked-in "
        "waitlist"
    ),
    "Immunization": _codes("completed entered-in-error not-done"),
    "CarePlan": _codes("draft active on-hold revoked completed entered-in-error unknown"),
    "CareTeam": _codes("proposed active suspended inactive entered-in-error"),
    "DocumentReference": _codes("current superseded entered-in-error"),
    "ServiceRequest": _codes("draft active on-hold revoked completed entered-in-error unknown"),
}
OTHER_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("MedicationRequest", "intent"): _codes(
        "proposal plan order original-order reflex-order filler-order instance-order option"
    ),
    ("Patient", "gender"): _codes("male female other unknown"),
}
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
CONCEPT_CODES: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("Condition", "clinicalStatus"): (
        CLINICAL,
        _codes("active recurrence relapse inactive remission resolved"),
    ),
    ("AllergyIntolerance", "clinicalStatus"): (
        ALLERGY_CLINICAL,
        _codes("active inactive resolved"),
    ),
}
_VALUES = (
    "valueQuantity",
    "valueCodeableConcept",
    "valueString",
    "valueBoolean",
    "valueInteger",
    "valueRange",
    "valueRatio",
    "valueSampledData",
    "valueTime",
    "valueDateTime",
    "valuePeriod",
)


def check_bindings(resource: dict[str, Any], where: str) -> None:
    """Refuse, naming the element, a code outside a required value set or a broken invariant."""
    rtype = str(resource.get("resourceType"))
    bound = [(e, c) for (t, e), c in OTHER_CODES.items() if t == rtype]
    if rtype in STATUS_CODES:
        bound.append(("status", STATUS_CODES[rtype]))
    for element, codes in bound:
        value = resource.get(element)
        if value is not None and value not in codes:
            _refuse(where, element, f"{value!r} is not one of {', '.join(sorted(codes))}")
    for (t, element), (system, codes) in CONCEPT_CODES.items():
        if t != rtype or not isinstance(resource.get(element), dict):
            continue
        for coding in resource[element].get("coding") or []:
            if coding.get("system") == system and coding.get("code") not in codes:
                _refuse(where, element, f"{coding.get('code')!r} is not in {system}")
    _invariants(rtype, resource, where)


def _invariants(rtype: object, r: dict[str, Any], where: str) -> None:
    if rtype == "Observation":
        has_value = any(k in r for k in _VALUES)
        if has_value and "dataAbsentReason" in r:  # obs-6
            _refuse(where, "dataAbsentReason", "only when there is no value (obs-6)")
        codes = _codings(r.get("code"))
        for i, component in enumerate(r.get("component") or []):
            if has_value and codes & _codings(component.get("code")):  # obs-7
                _refuse(where, f"component[{i}].code", "repeats code while value is set (obs-7)")
    if rtype in ("Condition", "AllergyIntolerance"):
        clinical = _codings(r.get("clinicalStatus"))
        verification = {c for _, c in _codings(r.get("verificationStatus"))}
        if "entered-in-error" in verification and clinical:  # con-5, ait-2
            rule = "con-5" if rtype == "Condition" else "ait-2"
            _refuse(where, "clinicalStatus", f"absent when entered in error ({rule})")
        if rtype == "AllergyIntolerance" and not clinical and verification - {"entered-in-error"}:
            _refuse(where, "clinicalStatus", "needed unless entered in error (ait-1)")
        abated = any(k.startswith("abatement") for k in r)
        settled = {c for _, c in clinical} & {"inactive", "resolved", "remission"}
        if rtype == "Condition" and abated and clinical and not settled:  # con-4
            _refuse(where, "clinicalStatus", "inactive, resolved or remission once abated (con-4)")


def _codings(concept: object) -> set[tuple[str | None, str]]:
    if not isinstance(concept, dict):
        return set()
    return {
        (c.get("system"), c["code"])
        for c in concept.get("coding") or []
        if isinstance(c, dict) and isinstance(c.get("code"), str)
    }


def _refuse(where: str, element: str, why: str) -> None:
    field = f"{where}.{element}"
    raise InputError("fhir.invalid", f"{field}: {why}", field=field)
