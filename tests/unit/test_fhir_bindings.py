"""A resource's required codes and invariants are checked, naming the element (issue 17):
structure alone would store `status: "banana"`."""

from __future__ import annotations

from typing import Any

import pytest

from mahrem.domain.errors import InputError
from mahrem.domain.fhir_bindings import ALLERGY_CLINICAL, CLINICAL, check_bindings

GLUCOSE = {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]}


def concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        ({"resourceType": "Observation", "status": "banana"}, "body.status"),
        ({"resourceType": "Encounter", "status": "open"}, "body.status"),
        (
            {"resourceType": "MedicationRequest", "status": "active", "intent": "wish"},
            "body.intent",
        ),
        ({"resourceType": "Patient", "gender": "m"}, "body.gender"),
        (
            {"resourceType": "Condition", "clinicalStatus": concept(CLINICAL, "cured")},
            "body.clinicalStatus",
        ),
        (
            {
                "resourceType": "Observation",
                "status": "final",
                "valueQuantity": {"value": 1},
                "dataAbsentReason": {"text": "x"},
            },
            "body.dataAbsentReason",
        ),
        (
            {
                "resourceType": "Observation",
                "status": "final",
                "code": GLUCOSE,
                "valueQuantity": {"value": 1},
                "component": [{"code": GLUCOSE}],
            },
            "body.component[0].code",
        ),
        (
            {
                "resourceType": "Condition",
                "clinicalStatus": concept(CLINICAL, "active"),
                "verificationStatus": concept(VERIFICATION, "entered-in-error"),
            },
            "body.clinicalStatus",
        ),
        (
            {
                "resourceType": "Condition",
                "clinicalStatus": concept(CLINICAL, "active"),
                "abatementDateTime": "2026-01-01",
            },
            "body.clinicalStatus",
        ),
        (
            {
                "resourceType": "AllergyIntolerance",
                "verificationStatus": concept(VERIFICATION, "confirmed"),
            },
            "body.clinicalStatus",
        ),
    ],
)
def test_what_breaks_a_binding_or_an_invariant_is_refused_naming_the_element(
    resource: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError) as refused:
        check_bindings(resource, "body")
    assert (refused.value.code, refused.value.field) == ("fhir.invalid", field)


@pytest.mark.parametrize(
    "resource",
    [
        {
            "resourceType": "Observation",
            "status": "final",
            "code": GLUCOSE,
            "valueQuantity": {"value": 1},
        },
        {
            "resourceType": "Observation",
            "status": "final",
            "dataAbsentReason": {"text": "not done"},
        },
        {
            "resourceType": "Condition",
            "clinicalStatus": concept(CLINICAL, "resolved"),
            "abatementDateTime": "2026-01-01",
        },
        {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": concept(ALLERGY_CLINICAL, "active"),
        },
        {"resourceType": "Encounter", "status": "in-progress"},
    ],
)
def test_a_resource_that_keeps_them_passes(resource: dict[str, Any]) -> None:
    check_bindings(resource, "body")
