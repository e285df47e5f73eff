"""How hospital software names patients: an installation's local FHIR Patient id, linked to the
person Mahrem knows by TC kimlik no (the SBYS pushes the Patient once, then refers to it)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Table

from mahrem.adapters.orm_base import ID, UtcDateTime, metadata

patient_link = Table(
    "patient_link",
    metadata,
    Column("facility", ID, ForeignKey("facility.id"), primary_key=True),
    Column("local_id", ID, primary_key=True),
    Column("person", ID, ForeignKey("person.id"), nullable=False, index=True),
    Column("linked_at", UtcDateTime, nullable=False),
)
