"""A FHIR resource as a page a person can read: a title and labelled lines, not JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mahrem.entrypoints.web.i18n import N_

CATEGORY_LABELS = {
    "laboratory": N_("Laboratory"),
    "imaging": N_("Imaging"),
    "prescription": N_("Prescription"),
    "vaccination": N_("Vaccination"),
    "general": N_("General"),
    "psychiatry": N_("Psychiatry"),
    "sexual_health": N_("Sexual health"),
    "hiv": N_("HIV"),
    "genetics": N_("Genetics"),
    "substance_use": N_("Substance use"),
    "reproductive": N_("Reproductive health"),
}
RESTRICTED = ("psychiatry", "sexual_health", "hiv", "genetics", "substance_use", "reproductive")
TYPE_LABELS = {
    "Observation": N_("Test result"),
    "Condition": N_("Diagnosis"),
    "DocumentReference": N_("Document"),
    "MedicationRequest": N_("Prescription"),
    "Immunization": N_("Vaccination"),
    "Procedure": N_("Procedure"),
    "DiagnosticReport": N_("Report"),
    "Encounter": N_("Visit"),
    "AllergyIntolerance": N_("Allergy"),
}
STATUS_WORDS = {
    "final": N_("Final"),
    "preliminary": N_("Preliminary"),
    "amended": N_("Amended"),
    "corrected": N_("Corrected"),
    "cancelled": N_("Cancelled"),
    "registered": N_("Registered"),
    "current": N_("Current"),
    "entered-in-error": N_("Entered in error"),
    "completed": N_("Completed"),
    "active": N_("Active"),
}
PURPOSES = {
    "treatment": N_("Treatment"),
    "diagnosis": N_("Diagnosis"),
    "care": N_("Care"),
    "preventive": N_("Preventive care"),
}


def concept(value: Any) -> str:
    """A CodeableConcept in words: its text, else its first display, else its first code."""
    if not isinstance(value, dict):
        return ""
    if value.get("text"):
        return str(value["text"])
    for coding in value.get("coding") or []:
        if coding.get("display"):
            return str(coding["display"])
    for coding in value.get("coding") or []:
        if coding.get("code"):
            return str(coding["code"])
    return ""


def codes(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    systems = {
        "http://loinc.org": "LOINC",
        "http://hl7.org/fhir/sid/icd-10": "ICD-10",
        "http://snomed.info/sct": "SNOMED CT",
    }
    return ", ".join(
        f"{systems.get(c.get('system', ''), c.get('system', ''))} {c.get('code', '')}".strip()
        for c in value.get("coding") or []
        if c.get("code")
    )


def quantity(q: Any) -> str:
    if not isinstance(q, dict) or q.get("value") is None:
        return ""
    return f"{q['value']} {q.get('unit') or q.get('code') or ''}".strip()


def _value(resource: dict[str, Any]) -> str:
    for key, fmt in (("valueQuantity", quantity), ("valueCodeableConcept", concept)):
        if key in resource:
            return fmt(resource[key])
    for key in ("valueString", "valueBoolean", "valueInteger", "valueDateTime"):
        if key in resource:
            return str(resource[key])
    return ""


def _range(resource: dict[str, Any]) -> str:
    ranges = resource.get("referenceRange") or []
    if not ranges:
        return ""
    low, high = quantity(ranges[0].get("low")), quantity(ranges[0].get("high"))
    return f"{low} – {high}".strip(" –")


def readable(
    resource: dict[str, Any], _: Callable[[str], str] = str
) -> tuple[str, list[tuple[str, str]]]:
    """The title and the (label, value) lines of a resource; labels are catalogue ids, coded
    values (the status) are put in words with `_`."""
    title = (
        concept(resource.get("code"))
        or concept(resource.get("type"))
        or concept(resource.get("medicationCodeableConcept"))
        or concept(resource.get("vaccineCode"))
    )
    status = str(resource.get("status") or "")
    lines: list[tuple[str, str]] = [
        (N_("Result"), _value(resource)),
        (N_("Reference range"), _range(resource)),
        (N_("Interpretation"), ", ".join(concept(i) for i in resource.get("interpretation") or [])),
        (N_("Clinical status"), concept(resource.get("clinicalStatus"))),
        (N_("Status"), _(STATUS_WORDS[status]) if status in STATUS_WORDS else status),
        (
            N_("Date"),
            str(
                resource.get("effectiveDateTime")
                or resource.get("onsetDateTime")
                or resource.get("recordedDate")
                or resource.get("issued")
                or resource.get("date")
                or ""
            ),
        ),
        (N_("Codes"), codes(resource.get("code") or resource.get("type"))),
        (N_("Note"), " ".join(str(n.get("text", "")) for n in resource.get("note") or [])),
    ]
    for item in resource.get("content") or []:
        attachment = item.get("attachment") or {}
        if attachment.get("title") or attachment.get("contentType"):
            lines.append(
                (N_("Attachment"), str(attachment.get("title") or attachment.get("contentType")))
            )
    return title, [(label, value) for label, value in lines if value]


WORDS = {
    **PURPOSES,
    "physician": N_("Physician"),
    "nurse": N_("Nurse"),
    "other_staff": N_("Health staff"),
    "parent": N_("Parent"),
    "relative": N_("Relative"),
    "lawyer": N_("Lawyer"),
    "heir": N_("Heir"),
    "dpo": N_("Data protection officer"),
    "province_officer": N_("Provincial health directorate"),
    "gm_officer": N_("General Directorate"),
    "ministry_user": N_("Ministry user"),
    "officer": N_("Officer"),
    "staff": N_("Health staff"),
    "self": N_("You"),
    "planning": N_("Planning"),
    "financing": N_("Financing"),
    "inspection": N_("Inspection"),
    "regulation": N_("Regulation"),
}
