"""What a FHIR push names and what becomes of each entry (C1): the naming system of the TC
kimlik no (`TCKN_SYSTEM`, Mahrem's own: no national one exists) and of the sender's category
tag (`CATEGORY_SYSTEM`), the directory resource types that are not health data of a person,
the fields where a resource names its patient and its date, and the answer per entry — which
must not tell whether a TC kimlik no belongs to someone Mahrem knows (M12)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mahrem.domain.errors import MahremError

# No national FHIR naming system for the TC kimlik no exists (reference/law-notes.md §4), so
# Mahrem defines its own; MAHREM_TCKN_SYSTEM overrides it at the door.
TCKN_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/NamingSystem/tckn"
CATEGORY_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/CodeSystem/category"
DIRECTORY_TYPES = frozenset(
    {
        "Organization",
        "Location",
        "Practitioner",
        "PractitionerRole",
        "Device",
        "HealthcareService",
        "Endpoint",
        "Medication",
        "Substance",
    }
)
# Where a resource names its patient and when it was recorded, by resource type (R4).
SUBJECT_FIELDS = ("subject", "patient", "beneficiary")


def subject_of(resource: dict[str, Any]) -> str | None:
    """The reference naming the resource's patient: its subject (or patient, beneficiary), or
    for an Appointment the participant that is a Patient."""
    for k in SUBJECT_FIELDS:
        value = resource.get(k)
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            return str(value["reference"])
    if resource.get("resourceType") == "Appointment":
        for p in resource.get("participant") or []:
            ref = ((p or {}).get("actor") or {}).get("reference")
            if isinstance(ref, str) and ref.startswith("Patient"):
                return ref
    return None


DATE_FIELDS = (
    "recordedDate",
    "authoredOn",
    "occurrenceDateTime",
    "effectiveDateTime",
    "issued",
    "date",
    "performedDateTime",
    "onsetDateTime",
    "started",
    "created",
)
PERIOD_FIELDS = ("period", "performedPeriod", "effectivePeriod")


@dataclass(frozen=True, slots=True)
class EntryResult:
    """What became of one pushed resource: `created`, `unchanged` (the same id and content was
    pushed before), `linked` (a Patient) or `ignored` (directory data). `id` is Mahrem's id (the
    person's for a Patient, the record's otherwise), `local_id` the sender's own; a refused
    entry of a batch carries its error instead."""

    resource_type: str
    id: str
    outcome: str
    patient: str | None = None
    local_id: str | None = None
    version: int | None = None
    resource: dict[str, Any] | None = None
    error: MahremError | None = None

    @property
    def answer(self) -> str:
        """What the sending software is told. A Patient is `created` when this facility's id is
        linked for the first time, whether Mahrem knew the person or registered them now: the
        answer must not tell whether a TC kimlik no belongs to someone Mahrem knows (M12)."""
        if self.error is not None:
            return "refused"
        return "created" if self.outcome in ("created", "registered", "linked") else self.outcome

    @property
    def status(self) -> str:
        return "201 Created" if self.answer == "created" else "200 OK"

    @property
    def location(self) -> str | None:
        """Where the resource now lives in Mahrem (`Type/<id>/_history/<version>` for records)."""
        if self.error is not None or self.outcome == "ignored":
            return None
        if self.version is None:
            return f"{self.resource_type}/{self.id}"
        return f"{self.resource_type}/{self.id}/_history/{self.version}"


@dataclass(frozen=True, slots=True)
class Pushed:
    entries: tuple[EntryResult, ...]
    kind: str = "transaction"  # or batch, or a single resource ("single")
