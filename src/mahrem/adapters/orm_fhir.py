"""How hospital software names what it sends: a facility's local FHIR Patient id, linked to the
person Mahrem knows by TC kimlik no (the SBYS pushes the Patient once, then refers to it), and
an installation's own resource ids, linked to the records Mahrem keeps under ids of its own
(two hospitals' `Observation/1001` are two records, and neither learns of the other's)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, String, Table

from mahrem.adapters.orm_base import ID, UtcDateTime, metadata

patient_link = Table(
    "patient_link",
    metadata,
    Column("facility", ID, ForeignKey("facility.id"), primary_key=True),
    Column("local_id", ID, primary_key=True),
    Column("person", ID, ForeignKey("person.id"), nullable=False, index=True),
    Column("linked_at", UtcDateTime, nullable=False),
)

record_link = Table(
    "record_link",
    metadata,
    Column("installation", ID, ForeignKey("installation.id"), primary_key=True),
    Column("resource_type", String(64), primary_key=True),
    Column("local_id", ID, primary_key=True),
    Column("record", ID, ForeignKey("record.id"), nullable=False, unique=True),
    Column("linked_at", UtcDateTime, nullable=False),
)

# A client-supplied Idempotency-Key, kept a day (issue 17): the hash of who sent it and the key,
# the hash of the request, and the answer given (an event's result: no personal data).
idempotent_request = Table(
    "idempotent_request",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("request", String(64), nullable=False),
    Column("answer", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)
